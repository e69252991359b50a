"""cnnlab.animate: GIFs of the widgets' animations, and the ``cnnlab gif`` command."""

import argparse

import numpy as np
import pytest
from PIL import Image

from cnnlab import _colors, animate, ops
from cnnlab.widgets import ConvolutionWidget, FlattenWidget, PoolingWidget, _frames

MAP = np.random.default_rng(1).normal(size=(12, 12)).astype(np.float32)


def gif_frames(path):
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        frames = []
        for i in range(gif.n_frames):
            gif.seek(i)
            frames.append(np.asarray(gif.convert("RGB")))
        return frames, gif.info.get("loop")


def test_save_gif_writes_a_multi_frame_gif_ending_on_the_complete_map(tmp_path):
    widget = PoolingWidget(MAP, size=2)
    path = animate.save_gif(widget, tmp_path / "pool.gif", fps=10)
    frames, loop = gif_frames(path)
    assert len(frames) == widget.steps == 36 and loop == 0
    geo = _frames.geometry(widget.scene, 240)
    x0, y0 = geo["output_origin"]
    s = geo["output_scale"]
    r, c = 5, 4                      # a cell near the end: pending at first, computed at the end
    centre = (y0 + r * s + s // 2, x0 + c * s + s // 2)
    want = np.array(_colors.to_rgb(ops.max_pool(MAP, 2)[r, c], widget.meta["vmin"], widget.meta["vmax"]))
    assert tuple(frames[0][centre]) == _colors.PENDING_RGB
    assert np.abs(frames[-1][centre].astype(int) - want).max() <= 8     # GIF palette, close colours


def test_long_animations_are_subsampled(tmp_path):
    widget = ConvolutionWidget(np.random.default_rng(2).integers(0, 255, (40, 40), dtype=np.uint8), "sobel_x")
    assert widget.steps == 38 * 38
    path = animate.save_gif(widget, tmp_path / "conv.gif", max_frames=20)
    frames, _ = gif_frames(path)
    assert len(frames) == 20
    assert not np.array_equal(frames[0], frames[-1])


def test_convolution_and_pooling_gif_helpers(tmp_path):
    conv = animate.convolution_gif("camera", "sobel_x", tmp_path / "c.gif", stride=2, max_size=24,
                                   max_frames=12)
    pool = animate.pooling_gif("coins", tmp_path / "p.gif", size=2, mode="avg", max_size=24, max_frames=12)
    for path in (conv, pool):
        with Image.open(path) as gif:
            assert gif.n_frames == 12


def test_flatten_gif(tmp_path):
    path = animate.save_gif(FlattenWidget(np.arange(12.0).reshape(2, 2, 3)), tmp_path / "f.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == 12


@pytest.mark.parametrize("call, error, argument", [
    (lambda p: animate.save_gif("not a widget", p), TypeError, "widget"),
    (lambda p: animate.save_gif(PoolingWidget(MAP), 42), TypeError, "path"),
    (lambda p: animate.save_gif(PoolingWidget(MAP), p, fps=0), ValueError, "fps"),
    (lambda p: animate.save_gif(PoolingWidget(MAP), p, max_frames=0), ValueError, "max_frames"),
    (lambda p: animate.convolution_gif("cat", "sobelx", p), ValueError, "kernel"),
    (lambda p: animate.pooling_gif("coins", p, mode="median"), ValueError, "mode"),
])
def test_bad_input(tmp_path, call, error, argument):
    with pytest.raises(error, match=argument):
        call(tmp_path / "x.gif")


def parse(argv):
    parser = argparse.ArgumentParser(prog="cnnlab gif")
    animate.add_gif_arguments(parser)
    return parser.parse_args(argv)


def test_command_line_conv_and_pool(tmp_path, capsys):
    out = tmp_path / "conv.gif"
    args = parse(["conv", "--image", "cat", "--kernel", "sobel_x", "--max-size", "20", "--frames", "10",
                  str(out)])
    assert animate.run_gif(args) == 0
    assert "wrote" in capsys.readouterr().out
    with Image.open(out) as gif:
        assert gif.n_frames == 10
    out = tmp_path / "pool.gif"
    assert animate.run_gif(parse(["pool", "--image", "coins", "--size", "2", "--frames", "5", str(out)])) == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 5


def test_command_line_reports_bad_values_without_a_traceback(tmp_path, capsys):
    args = parse(["conv", "--kernel", "1 x; 2 3", str(tmp_path / "bad.gif")])
    assert animate.run_gif(args) == 2
    assert "kernel must contain only numbers" in capsys.readouterr().err
    assert not (tmp_path / "bad.gif").exists()


def test_the_cnnlab_command_offers_gif(tmp_path):
    from cnnlab.__main__ import main

    out = tmp_path / "m.gif"
    assert main(["gif", "pool", "--image", "coins", "--frames", "3", "--max-size", "16", str(out)]) == 0
    assert out.is_file()


def test_nms_widget_exports_a_gif_of_its_decisions(tmp_path, monkeypatch):
    from PIL import Image

    from cnnlab.widgets import NMSWidget

    rng = np.random.default_rng(3)
    corners = rng.uniform(0, 200, (9, 2))
    boxes = np.concatenate([corners, corners + rng.uniform(30, 90, (9, 2))], axis=1)
    widget = NMSWidget("astronaut", boxes, rng.random(9))
    path = animate.save_gif(widget, tmp_path / "nms.gif", max_frames=50)
    with Image.open(path) as gif:
        assert gif.n_frames == widget.steps == 9
        gif.seek(gif.n_frames - 1)
        last = np.asarray(gif.convert("RGB"))
    widest = max(widget.frame(step, 240).width for step in range(widget.steps))
    assert last.shape[1] == widest, "every frame fits: none is cropped to the first one's size"
    with pytest.raises(ValueError, match="panel_px"):
        animate.save_gif(widget, tmp_path / "huge.gif", panel_px=4000)     # one frame too large
    monkeypatch.setattr(_frames, "MAX_GIF_PIXELS", 1_000_000)
    with pytest.raises(ValueError, match="max_frames=9"):
        animate.save_gif(widget, tmp_path / "long.gif")                    # too many pixels in all
    assert not (tmp_path / "huge.gif").exists() and not (tmp_path / "long.gif").exists()


# ---------------------------------------------------------------- a GIF explains itself


def _near(pixels, rgb, tolerance=12) -> np.ndarray:
    """Mask of the pixels within ``tolerance`` (per channel) of ``rgb`` (the GIF palette is approximate)."""
    return (np.abs(pixels.astype(int) - np.array(rgb)).max(axis=-1) <= tolerance)


@pytest.mark.parametrize("image", ["astronaut", "cat"])
def test_the_default_gif_shows_the_kernel_and_the_keys_in_every_frame_and_stays_under_1_mb(tmp_path, image):
    path = tmp_path / f"{image}.gif"
    args = animate.add_gif_arguments(argparse.ArgumentParser()).parse_args(
        ["conv", "--image", image, "--kernel", "sobel_x", str(path)])
    assert animate.run_gif(args) == 0                         # the command's defaults: 48 px, 150 frames
    size = path.stat().st_size
    print(f"\n{image}/sobel_x GIF: {size / 1024:.0f} KB")
    assert size < 1_000_000
    frames, _ = gif_frames(path)
    assert len(frames) == 150
    widget = ConvolutionWidget(image, "sobel_x", max_size=48)
    geo = _frames.geometry(widget.scene, 240)
    assert frames[0].shape[:2] == geo["size"][::-1]
    (kx, ky), (kw, _) = geo["kernel_origin"], geo["kernel_size"]
    (gx, gy), (gw, gh) = geo["keys_origin"], geo["keys_size"]
    ox = geo["output_origin"][0]
    assert geo["input_origin"][0] < kx < kx + kw < ox, "the kernel sits between the input and the output"
    kernel = widget.kernel
    peak = float(np.abs(kernel).max())
    cell_w, cell_h = _frames._kernel_cell(widget.scene)
    top = ky + _frames.KERNEL_CAPTION
    for number, frame in enumerate(frames):
        # every kernel cell, tinted by its weight's sign (half way to white)
        for i in range(3):
            for j in range(3):
                tint = (np.array(_colors.to_rgb(kernel[i, j], -peak, peak)) + 255) // 2
                corner = frame[top + i * cell_h + 3, kx + j * cell_w + 3]
                assert np.abs(corner.astype(int) - tint).max() <= 12, (number, i, j, corner, tint)
        keys = frame[gy:gy + gh, gx:gx + gw]
        assert _near(keys, _colors.NEGATIVE_RGB).any() and _near(keys, _colors.POSITIVE_RGB).any(), number
        assert (keys == _colors.PENDING_RGB).all(axis=-1).sum() >= 100, f"frame {number}: no pending key"
        assert (frame == _colors.WINDOW_RGB).all(axis=-1).any(), f"frame {number}: no window"
    # the kernel's numbers are written: dark text pixels inside the cells of the first row
    first_row = frames[0][top:top + cell_h, kx:kx + 3 * cell_w]
    assert (first_row.max(axis=-1) < 90).sum() > 20


def test_a_frame_writes_why_the_scale_is_clipped():
    clipped = ConvolutionWidget("camera", "identity", max_size=48)
    assert clipped.meta["clip_note"] and "clipped" in clipped.meta["clip_note"]
    plain = PoolingWidget(MAP, size=2)                          # a small map: exact limits, nothing clipped
    assert plain.meta["clip_note"] == ""
    font = _frames.load_font(_frames.KEY_FONT_PX)
    heights = {}
    for name, widget in (("clipped", clipped), ("plain", plain)):
        geo = _frames.geometry(widget.scene, 240)
        heights[name] = geo["keys_size"][1]
        lines = _frames._wrapped(widget.meta["clip_note"], geo["keys_size"][0], font)
        assert heights[name] == _frames.KEY_LINE + len(lines) * _frames.NOTE_LINE
        frame = np.asarray(widget.frame(widget.steps - 1, 240))
        (gx, gy), (gw, gh) = geo["keys_origin"], geo["keys_size"]
        notes = frame[gy + _frames.KEY_LINE:gy + gh, gx:gx + gw]
        assert (notes.max(axis=-1) < 200).any() == bool(lines), name   # text where a note is
    assert heights["clipped"] > heights["plain"]


def test_the_readme_gif_is_what_the_command_the_readme_names_makes_today(tmp_path):
    """README.md shows docs/convolution.gif and names the command that made it; the committed file
    must be that command's output with today's code (regenerate it with that command and --force)."""
    import re
    import shlex
    from pathlib import Path

    from cnnlab.__main__ import main

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "](docs/convolution.gif)" in readme.split("## ")[0], "the GIF belongs at the top of the README"
    command = re.search(r"`python -m cnnlab (gif conv [^`]*docs/convolution\.gif)`", readme)
    assert command, "the README names the command that made its GIF"
    argv = shlex.split(command.group(1))
    committed = root / "docs" / "convolution.gif"
    assert committed.stat().st_size < 1024 * 1024
    fresh = tmp_path / "convolution.gif"
    assert main([*argv[:-1], str(fresh)]) == 0
    assert fresh.read_bytes() == committed.read_bytes(), (
        f"docs/convolution.gif is out of date: python -m cnnlab {command.group(1)} --force")
    frames, _ = gif_frames(committed)
    assert len(frames) > 100
