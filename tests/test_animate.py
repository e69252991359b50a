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
