"""cnnlab.doctor and the cnnlab command."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cnnlab
from cnnlab import __main__ as cli
from cnnlab import _doctor, _net


def test_import_is_light():
    code = ("import sys, time; t = time.perf_counter(); import cnnlab; "
            "print(time.perf_counter() - t, 'tensorflow' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[1:] == ["False", "False"]
    assert float(out[0]) < 1.0  # the 0.3 s budget is measured by benchmarks/ops.py; this catches regressions


def test_doctor_reports_versions_environment_widgets_and_network(capsys, monkeypatch):
    monkeypatch.setenv("CNNLAB_OFFLINE", "1")
    start = time.perf_counter()
    report = cnnlab.doctor()
    assert time.perf_counter() - start < 5
    out = capsys.readouterr().out
    assert report["packages"]["numpy"] in out
    assert report["environment"] == "plain Python" and "plain Python" in out
    assert report["network"] is False and "not reachable" in out
    assert isinstance(report["widgets"], bool) and "widgets" in out


def test_network_probe_is_bounded(monkeypatch):
    monkeypatch.delenv("CNNLAB_OFFLINE", raising=False)
    start = time.perf_counter()
    # a port on loopback with nothing listening: refused at once
    assert _net.reachable("127.0.0.1", 9, timeout=1.0) is False

    def hang(*args, **kwargs):  # a DNS lookup or connection that answers far too late
        time.sleep(5)
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket, "create_connection", hang)
    assert _net.reachable("127.0.0.2", 9, timeout=0.5) is False
    assert time.perf_counter() - start < 2


def test_offline_variable_means_no_attempt(monkeypatch):
    monkeypatch.setenv("CNNLAB_OFFLINE", "1")
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("tried the network"))
    assert _doctor.network_reachable() is False


def test_environment_detects_colab(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert _doctor.environment() == "Colab"


def test_cli_doctor_and_help(capsys):
    assert cli.main(["doctor", "--no-network"]) == 0
    assert re.search(r"network +not checked", capsys.readouterr().out)
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "lab" in capsys.readouterr().out


def test_cli_finds_the_lessons_and_rejects_a_missing_demo(capsys, tmp_path):
    assert (cli.lessons_dir() / "00_welcome.ipynb").is_file()
    assert (cli.lessons_dir() / "instructor_demo.ipynb").is_file()  # what `cnnlab demo` opens by default
    assert cli.main(["demo", str(tmp_path / "missing.ipynb")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("make, expected", [
    (lambda tmp: str(tmp / "nope.jpg"), "--photo"),
    (lambda tmp: (tmp / "notes.png").write_text("not a picture") and str(tmp / "notes.png"), "not an image file"),
    (lambda tmp: (os.mkfifo(tmp / "pipe.png"), str(tmp / "pipe.png"))[1], "not a regular file"),
], ids=["missing", "not a picture", "a pipe"])
def test_cli_demo_refuses_a_bad_photo_in_one_line_before_starting_voila(capsys, tmp_path, monkeypatch, make,
                                                                        expected):
    started = []
    monkeypatch.setattr(cli.subprocess, "call", lambda *a, **k: started.append(a) or 0)
    assert cli.main(["demo", "--photo", make(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and expected in err and err.count("\n") == 1, err
    assert started == [], "Voila was started although the photo is unusable"


def test_cli_demo_serves_on_loopback_with_the_offline_template_and_the_photo(capsys, tmp_path, monkeypatch):
    from PIL import Image

    from cnnlab import _servers, demo

    photo = tmp_path / "class.png"
    Image.new("RGB", (40, 30), (200, 10, 10)).save(photo)
    calls = []
    monkeypatch.setattr(cli.subprocess, "call", lambda command, env=None: calls.append((command, env)) or 0)
    assert cli.main(["demo", "--photo", str(photo), "--port", "8899", "--no-browser"]) == 0
    (command, env), = calls
    assert command[1:4] == ["-m", "voila", str(cli.lessons_dir() / "instructor_demo.ipynb")]
    assert "--Voila.ip=127.0.0.1" in command and "--Voila.port=8899" in command and "--no-browser" in command
    assert "--VoilaConfiguration.template=cnnlab" in command
    assert not any(arg.startswith("--strip_sources") for arg in command)  # the default; the flag is deprecated
    assert not any("[" in arg for arg in command), "a list option makes traitlets warn; one item per option"
    assert env[demo.PHOTO_VARIABLE] == str(photo.resolve())
    template_root = env["JUPYTER_PATH"].split(os.pathsep)[0]
    assert (Path(template_root) / "voila" / "templates" / "cnnlab" / "index.html.j2").is_file()
    assert template_root == str(_servers.SHARE_JUPYTER)


def test_cli_demo_takes_a_bundled_photo_by_name(monkeypatch):
    from cnnlab import demo

    calls = []
    monkeypatch.setattr(cli.subprocess, "call", lambda command, env=None: calls.append(env) or 0)
    assert cli.main(["demo", "--photo", "coins"]) == 0
    assert calls[0][demo.PHOTO_VARIABLE] == "coins"


def test_the_cnnlab_voila_template_links_nothing_outside_the_page():
    """Voila's own lab page links Font Awesome from a CDN; cnnlab's copy of that block must not."""
    from cnnlab import _servers

    template = (_servers.SHARE_JUPYTER / "voila" / "templates" / "cnnlab" / "index.html.j2").read_text()
    assert "extends 'voila/templates/lab/index.html.j2'" in template
    assert not re.search(r"https?://", template.split("-#}", 1)[1]), "the template itself names a remote URL"
    assert "fontawesome-free" in template  # the line filter that drops Voila's two links


def test_cli_demo_and_lab_pass_options_they_do_not_know_to_the_server(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(cli.subprocess, "call", lambda command, env=None: calls.append(command) or 0)
    assert cli.main(["demo", "--VoilaConfiguration.theme=dark", "--no-browser"]) == 0
    assert cli.main(["lab", "--ServerApp.port=9999"]) == 0
    assert "--no-browser" in calls[0] and calls[0][-1] == "--VoilaConfiguration.theme=dark"
    assert calls[1][-1] == "--ServerApp.port=9999"
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["doctor", "--colour"])
    assert exit_info.value.code == 2 and "unrecognized arguments: --colour" in capsys.readouterr().err


def test_cli_demo_port_must_be_a_port(capsys):
    for bad in ("http", "0", "70000"):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["demo", "--port", bad])
        assert exit_info.value.code == 2
        assert "--port must" in capsys.readouterr().err


# ---------------------------------------------------------------- cnnlab gif: user errors


def _bomb(tmp_path):
    from PIL import Image

    path = tmp_path / "bomb.png"
    Image.new("1", (12000, 5000)).save(path)  # 60 megapixels, a few KB on disk
    return str(path)


def _fifo(tmp_path):
    path = tmp_path / "pipe.png"
    os.mkfifo(path)
    return str(path)


GIF_ERRORS = {
    "not a .gif name": (lambda tmp: ["conv", str(tmp / "notes.txt")], "end in .gif"),
    "no name": (lambda tmp: ["conv", ".gif"], "end in .gif"),
    "missing folder": (lambda tmp: ["conv", str(tmp / "no" / "out.gif")], "does not exist"),
    "unknown kernel": (lambda tmp: ["conv", "--kernel", "sobelx", str(tmp / "o.gif")], "did you mean 'sobel_x'"),
    "kernel word": (lambda tmp: ["conv", "--kernel", "1 x; 2 3", str(tmp / "o.gif")], "'x' is not a number"),
    "kernel 1e39": (lambda tmp: ["conv", "--kernel", "1e39", str(tmp / "o.gif")], "too large"),
    "overflowing kernel": (lambda tmp: ["conv", "--kernel", "; ".join(["3e38 3e38 3e38"] * 3), str(tmp / "o.gif")],
                           "too large"),
    "long kernel text": (lambda tmp: ["conv", "--kernel", "1" * 1200 + "/" + "1" * 1200 + "x", str(tmp / "o.gif")],
                         "at most 2,000 characters"),
    "missing image": (lambda tmp: ["conv", "--image", str(tmp / "nope.png"), str(tmp / "o.gif")], "--image"),
    "photo typo": (lambda tmp: ["conv", "--image", "kat", str(tmp / "o.gif")], "did you mean 'cat'"),
    "bomb image": (lambda tmp: ["conv", "--image", _bomb(tmp), str(tmp / "o.gif")], "60,000,000 pixels"),
    "fifo image": (lambda tmp: ["pool", "--image", _fifo(tmp), str(tmp / "o.gif")], "not a regular file"),
    "huge padding": (lambda tmp: ["conv", "--padding", "1000000", "--max-size", "8", str(tmp / "o.gif")],
                     "padding=1000000"),
    "stride not a number": (lambda tmp: ["conv", "--stride", "x", str(tmp / "o.gif")], "--stride"),
    "pool mode": (lambda tmp: ["pool", "--mode", "median", str(tmp / "o.gif")], "--mode"),
}


@pytest.mark.parametrize("case", list(GIF_ERRORS), ids=list(GIF_ERRORS))
def test_gif_user_errors_exit_2_with_one_line_and_write_nothing(case, tmp_path, capsys):
    argv = GIF_ERRORS[case][0](tmp_path)
    before = sorted(tmp_path.iterdir())
    start = time.perf_counter()
    try:
        code = cli.main(["gif", *argv])
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    assert time.perf_counter() - start < 5
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and GIF_ERRORS[case][1] in err, err
    assert sorted(tmp_path.iterdir()) == before


def test_gif_never_overwrites_without_force(tmp_path, capsys):
    out = tmp_path / "slide.gif"
    out.write_bytes(b"my slide")
    argv = ["gif", "pool", "--frames", "2", "--max-size", "8", str(out)]
    assert cli.main(argv) == 2
    assert "--force" in capsys.readouterr().err and out.read_bytes() == b"my slide"
    assert cli.main([*argv, "--force"]) == 0
    assert out.read_bytes()[:6] == b"GIF89a" and sorted(p.name for p in tmp_path.iterdir()) == ["slide.gif"]


def test_gif_refuses_a_symlink_even_with_force(tmp_path, capsys):
    mine = tmp_path / "thesis.txt"
    mine.write_text("years of work")
    link = tmp_path / "out.gif"
    link.symlink_to(mine)
    assert cli.main(["gif", "pool", "--frames", "2", "--max-size", "8", "--force", str(link)]) == 2
    assert "symbolic link" in capsys.readouterr().err and mine.read_text() == "years of work"


def test_a_failing_gif_leaves_the_old_file_and_no_temporary(tmp_path, capsys, monkeypatch):
    from cnnlab import animate

    out = tmp_path / "slide.gif"
    out.write_bytes(b"old")

    def fail(*args, **kwargs):
        raise OverflowError("cannot convert float infinity to integer")

    monkeypatch.setattr(animate, "pooling_gif", fail)
    assert cli.main(["gif", "pool", "--force", str(out)]) == 2
    assert capsys.readouterr().err.strip() == "error: cannot convert float infinity to integer"
    assert out.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["slide.gif"]


def test_gif_error_in_a_real_process_has_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "cnnlab", "gif", "conv", "--kernel", "3e38", str(tmp_path / "o.gif")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr


@pytest.mark.parametrize("content, message", [
    (b"this is my talk, not JSON", "not JSON"),
    (b"\xff\xfe\x00binary", "not JSON"),
    (b'{"cells": "none", "nbformat": 4}', "no nbformat 4 'cells' list"),
    (b"[1, 2, 3]", "no nbformat 4 'cells' list"),
    (None, "is a folder"),
])
def test_cli_demo_refuses_what_is_not_a_notebook_before_starting_voila(capsys, tmp_path, monkeypatch, content,
                                                                       message):
    started = []
    monkeypatch.setattr(cli, "_run", lambda *a, **k: started.append(a) or 0)
    target = tmp_path / "talk.ipynb"
    if content is None:
        target.mkdir()
    else:
        target.write_bytes(content)
    assert cli.main(["demo", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1, err
    assert started == []
