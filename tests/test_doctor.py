"""cnnlab.doctor and the cnnlab command."""

import re
import socket
import subprocess
import sys
import time

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
    assert cli.main(["demo", str(tmp_path / "missing.ipynb")]) == 2
    assert "does not exist" in capsys.readouterr().err
