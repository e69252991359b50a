"""cnnlab.plot: every helper draws the right panels from the right numbers and rejects bad input."""

import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from cnnlab import _colors, images, kernels, ops, plot
from cnnlab.widgets import ConvolutionWidget, _frames


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def cat():
    return images.load("cat")


def renders(fig) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    return buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_show_photo_and_map(cat):
    fig = plot.show(cat, "Chelsea")
    assert isinstance(fig, Figure) and fig.axes[0].get_title() == "Chelsea" and renders(fig)
    assert np.array_equal(fig.axes[0].images[0].get_array(), cat)
    fmap = ops.conv2d(images.to_float(images.grayscale(cat)), kernels.get("sobel_x"))
    fig = plot.show(fmap, colorbar=True)
    image = fig.axes[0].images[0]
    assert image.get_cmap().name == plot.DIVERGING
    lo, hi = image.get_clim()
    assert lo == -hi  # zero is white, in the middle of the scale
    assert len(fig.axes) == 2  # the colour bar


def test_show_uint8_gray_uses_fixed_0_255_scale():
    fig = plot.show(np.full((40, 40), 100, dtype=np.uint8))
    assert fig.axes[0].images[0].get_clim() == (0, 255)


def test_show_into_existing_axes(cat):
    fig, (a, b) = plt.subplots(1, 2)
    assert plot.show(cat, ax=b) is fig and b.images and not a.images


def test_numbers_writes_every_value_and_highlights():
    values = np.arange(12).reshape(3, 4)
    fig = plot.numbers(values, "tiny", highlight=[(0, 0, 2, 2), (1, 2, 1, 1)])
    ax = fig.axes[0]
    assert texts(ax) == [str(v) for v in values.ravel()]
    assert len(ax.patches) == 2 and renders(fig)
    fig = plot.numbers([[0.125, -1.5]])
    assert texts(fig.axes[0]) == ["0.12", "-1.50"]


def test_numbers_rejects_big_or_wrong_arrays():
    with pytest.raises(ValueError, match="at most 40 x 40"):
        plot.numbers(np.zeros((50, 3)))
    with pytest.raises(ValueError, match="values must be 2-D"):
        plot.numbers(np.zeros(5))
    with pytest.raises(ValueError, match="highlight must be"):
        plot.numbers(np.zeros((3, 3)), highlight=(0, 0, 1))
    with pytest.raises(TypeError, match="title must be a string"):
        plot.numbers(np.zeros((3, 3)), 5)


def test_zoom_shows_the_patch_numbers(cat):
    fig = plot.zoom(cat, 120, 200, size=4, title="cat")
    left, right = fig.axes
    assert len(left.patches) == 1 and left.get_title() == "cat"
    first = texts(right)[0].split("\n")
    assert first == [str(v) for v in cat[120, 200]]
    gray = images.load("camera")
    fig = plot.zoom(gray, 10, 20, size=5)
    assert texts(fig.axes[1])[0] == str(gray[10, 20])
    with pytest.raises(ValueError, match="does not fit"):
        plot.zoom(gray, 510, 0, size=5)
    with pytest.raises(ValueError, match="at most 12"):
        plot.zoom(cat, 0, 0, size=13)


def test_rgb_planes(cat):
    fig = plot.rgb_planes(cat)
    assert len(fig.axes) == 4 and renders(fig)
    for c, ax in enumerate(fig.axes[1:]):
        assert np.array_equal(ax.images[0].get_array(), cat[:, :, c])
        assert f"[:, :, {c}]" in ax.get_title()
    with pytest.raises(ValueError, match="only one plane"):
        plot.rgb_planes(images.load("camera"))


def test_grid_layout_titles_and_same_scale(cat):
    a = np.zeros((10, 10))
    b = np.full((10, 10), 4.0)
    fig = plot.grid([cat, a, b], ["photo", "zeros", "fours"], cols=2, same_scale=True)
    assert len(fig.axes) == 4  # 2 x 2, the last one switched off
    assert [ax.get_title() for ax in fig.axes[:3]] == ["photo", "zeros", "fours"]
    assert fig.axes[1].images[0].get_clim() == fig.axes[2].images[0].get_clim() == (0.0, 4.0)
    with pytest.raises(ValueError, match="one entry per picture"):
        plot.grid([a, b], ["only one"])
    with pytest.raises(TypeError, match="list of arrays"):
        plot.grid(a)
    with pytest.raises(ValueError, match="empty"):
        plot.grid([])


def test_kernels_by_name_and_array():
    fig = plot.kernels(["sobel_x", np.eye(2)], ["edges", None])
    assert [ax.get_title() for ax in fig.axes] == ["edges", ""]
    assert texts(fig.axes[0]) == ["-1", "0", "1", "-2", "0", "2", "-1", "0", "1"]
    assert plot.kernels(["sharpen"]).axes[0].get_title() == "sharpen"
    with pytest.raises(ValueError, match="name must be one of"):
        plot.kernels(["nope"])
    with pytest.raises(TypeError, match="list of kernel names"):
        plot.kernels("sobel_x")


def test_feature_maps_one_panel_per_channel():
    maps = np.random.default_rng(0).normal(size=(12, 10, 6))
    fig = plot.feature_maps(maps, limit=5)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 5 and shown[0].get_title() == "map 0"
    lo, hi = shown[2].images[0].get_clim()
    assert (lo, hi) == _colors.limits(maps[:, :, 2])
    np.testing.assert_array_equal(shown[2].images[0].get_array(), _colors.to_rgb_array(maps[:, :, 2], lo, hi))
    assert len(plot.feature_maps(maps[:, :, 0]).axes) == 1


def test_before_after_with_numbers_shares_the_scale():
    before = np.array([[-2.0, 1.0], [3.0, -1.5]])
    fig = plot.before_after(before, ops.relu(before), show_numbers=True, same_scale=True)
    a, b = fig.axes
    assert a.images[0].get_clim() == b.images[0].get_clim() == (-3.0, 3.0)
    assert texts(b) == ["0", "1", "3", "0"]


def test_conv_step_explains_one_output_value():
    image = np.random.default_rng(0).integers(0, 10, (6, 6))
    kernel = kernels.get("sobel_x")
    fig = plot.conv_step(image, kernel, 1, 2)
    value = ops.conv2d(image, kernel)[1, 2]
    assert f"= {value:.0f}" in fig.axes[3].get_title()
    assert fig.axes[2].get_xlabel() == f"sum = {value:.4g}"
    products = image[1:4, 2:5] * kernel
    assert texts(fig.axes[2]) == [f"{v:.0f}" for v in products.ravel()]
    fig = plot.conv_step(image, "sobel_x", 0, 0, stride=2, padding=1)
    assert "zero padded" in fig.axes[0].get_title() and renders(fig)
    with pytest.raises(ValueError, match="inside the output"):
        plot.conv_step(image, kernel, 4, 0)
    with pytest.raises(ValueError, match="at most 16 x 16"):
        plot.conv_step(np.zeros((20, 20)), kernel, 0, 0)


def test_windows_marks_each_max():
    x = np.array([[1, 3, 0, 0], [2, 9, 0, 1], [0, 0, 4, 4], [6, 1, 4, 5]], dtype=float)
    fig = plot.windows(x, 2)
    inp, out = fig.axes
    bold = [t.get_text() for t in inp.texts if t.get_fontweight() == "bold"]
    assert sorted(bold) == ["1", "5", "6", "9"]
    assert texts(out) == ["9", "1", "6", "5"]
    assert len(inp.patches) == 4 and len(out.patches) == 4
    fig = plot.windows(np.arange(25.0).reshape(5, 5), 3, 2, mode="avg")
    assert "avg pool 3×3" in fig.axes[1].get_title()
    with pytest.raises(ValueError, match="mode must be one of"):
        plot.windows(x, 2, mode="min")


def test_curves_and_highlight():
    x = np.linspace(-2, 2, 21)
    fig = plot.curves(x, {"relu": ops.relu(x), "line": x}, highlight="relu", marker="o")
    lines = fig.axes[0].get_lines()
    labelled = [ln for ln in lines if not ln.get_label().startswith("_")]
    assert [ln.get_label() for ln in labelled] == ["relu", "line"]
    assert labelled[0].get_linewidth() > labelled[1].get_linewidth()
    with pytest.raises(ValueError, match="shape of x"):
        plot.curves(x, {"bad": x[:5]})
    with pytest.raises(ValueError, match="highlight must be one of"):
        plot.curves(x, {"relu": x}, highlight="tanh")
    with pytest.raises(TypeError, match="dict"):
        plot.curves(x, [x])


def test_probabilities_bar_chart():
    p = ops.softmax(np.array([1.0, 3.0, 0.5]))
    fig = plot.probabilities(p, ["a", "b", "c"], true_label=1, title="p")
    ax = fig.axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    assert np.allclose(heights, p)
    assert ax.patches[1].get_facecolor() != ax.patches[0].get_facecolor()  # the winner stands out
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="non-negative"):
        plot.probabilities(np.array([-1.0, 2.0]))
    with pytest.raises(ValueError, match="one name per probability"):
        plot.probabilities(p, ["a"])
    with pytest.raises(ValueError, match="true_label must be below 3"):
        plot.probabilities(p, true_label=3)


def test_flatten_order_matches_ops_flatten():
    stack = np.stack([np.arange(6).reshape(2, 3), 10 + np.arange(6).reshape(2, 3)], axis=-1)
    fig = plot.flatten_order(stack)
    strip = fig.axes[-1]
    values = [t.get_text() for t in strip.texts if t.get_fontsize() == 8]
    assert values == [str(v) for v in ops.flatten(stack)]
    assert renders(fig)
    with pytest.raises(ValueError, match="at most 48 numbers"):
        plot.flatten_order(np.zeros((5, 5, 3)))


def test_forward_pass_draws_one_column_per_stage():
    x = np.random.default_rng(0).random((28, 28))
    conv = ops.conv2d(x, np.random.default_rng(1).normal(size=(3, 3, 1, 6)))
    pooled = ops.max_pool(ops.relu(conv), 2)
    probs = ops.softmax(np.arange(10.0))
    fig = plot.forward_pass([("digit", x), ("conv", conv), ("pool", pooled),
                             ("flatten", ops.flatten(pooled)), ("softmax", probs)])
    assert len(fig.subfigs) == 5
    assert "(first 4 maps)" in fig.subfigs[1]._suptitle.get_text()
    assert renders(fig)
    with pytest.raises(TypeError, match=r"stages\[0\] must be a \(title, array\) pair"):
        plot.forward_pass([x])


def test_importing_cnnlab_does_not_import_matplotlib():
    code = "import sys, cnnlab, cnnlab.ops; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- one colour convention with the widgets


def drawn_cells(fig, ax, rows, cols):
    """The colour at the centre of every cell of ``ax``'s image, from the rendered figure."""
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    box = ax.get_window_extent()
    top, height = pixels.shape[0] - box.y1, box.height
    ys = (top + (np.arange(rows) + 0.5) * height / rows).astype(int)
    xs = (box.x0 + (np.arange(cols) + 0.5) * box.width / cols).astype(int)
    return pixels[ys[:, None], xs[None, :]]


def test_a_map_has_the_same_colours_in_plot_and_in_a_widget():
    widget = ConvolutionWidget("cat", "sobel_x", max_size=24)
    out = widget.output
    fig = plot.show(out, size=8)
    rows, cols = out.shape
    from_plot = drawn_cells(fig, fig.axes[0], rows, cols)
    png = np.asarray(Image.open(io.BytesIO(widget.to_png())).convert("RGB"))
    geo = _frames.geometry(widget.scene)
    (x0, y0), s = geo["output_origin"], geo["output_scale"]
    from_widget = png[y0 + np.arange(rows)[:, None] * s + s // 2, x0 + np.arange(cols)[None, :] * s + s // 2]
    assert (out < 0).any() and (out > 0).any()
    np.testing.assert_array_equal(from_plot, from_widget)
    assert fig.axes[0].images[0].get_clim() == (widget.meta["vmin"], widget.meta["vmax"])


def test_the_colour_bar_is_the_same_mapping():
    fmap = np.linspace(-3.0, 3.0, 500).reshape(20, 25)
    fig = plot.show(fmap, colorbar=True)
    image = fig.axes[0].images[0]
    lo, hi = image.get_clim()
    for value in (lo, -1.0, 0.0, 2.0, hi):
        legend = np.round(np.array(image.cmap(image.norm(value))[:3]) * 255)
        assert np.abs(legend - _colors.to_rgb(value, lo, hi)).max() <= 3, value


def test_an_explicit_colour_map_is_still_matplotlibs():
    fig = plot.show(np.arange(12.0).reshape(3, 4), cmap="viridis")
    image = fig.axes[0].images[0]
    assert image.get_cmap().name == "viridis" and image.get_array().shape == (3, 4)


def test_windows_outlines_what_ops_window_says():
    x = np.arange(49.0).reshape(7, 7)
    fig = plot.windows(x, 3, 2)
    inp = fig.axes[0]
    out = ops.max_pool(x, 3, 2)
    assert len(inp.patches) == out.size
    for patch, (r, c) in zip(inp.patches, np.ndindex(*out.shape)):
        top, left, h, w = ops.window(r, c, 3, 2)
        x0, y0 = patch.get_xy()
        assert left - 0.5 < x0 < left and top - 0.5 < y0 < top
        assert w - 0.5 < patch.get_width() <= w and h - 0.5 < patch.get_height() <= h


def test_conv_step_outlines_what_ops_window_says():
    image = np.arange(49.0).reshape(7, 7)
    fig = plot.conv_step(image, "sobel_x", 1, 2, stride=2, padding=1)
    (patch,) = fig.axes[0].patches
    top, left, h, w = ops.window(1, 2, 3, 2)
    assert patch.get_xy() == (left - 0.5, top - 0.5) and (patch.get_height(), patch.get_width()) == (h, w)


# ---------------------------------------------------------------- what a learner reads in the lesson 02 figures


def test_no_number_is_written_as_minus_zero():
    window = np.array([[0.0, 0.0, 9.0], [0.0, 0.001, 9.0], [0.0, 0.0, 9.0]])
    fig = plot.conv_step(window, kernels.get("sobel_x"), 0, 0)
    written = [t.get_text() for ax in fig.axes for t in ax.texts] + [fig.axes[2].get_xlabel(), fig.axes[3].get_title()]
    products = window * kernels.get("sobel_x")
    assert (np.signbit(products) & (products == 0)).any()  # the input really holds minus zeros
    assert not [t for t in written if t.lstrip().startswith("-0") or "= -0" in t], written
    fig = plot.kernels([np.array([[-0.001, 0.5], [-0.0, -0.25]])])
    assert texts(fig.axes[0]) == ["0.00", "0.50", "0.00", "-0.25"]
    fig = plot.numbers(np.array([[-0.3, 2.0]]), fmt=".0f")
    assert texts(fig.axes[0]) == ["0", "2"]


def test_padding_zeros_do_not_look_like_black_pixels():
    square = np.zeros((7, 7))
    square[2:5, 2:5] = 9
    fig = plot.conv_step(square, "sobel_x", 0, 0, padding=1)
    ax = fig.axes[0]
    cells = drawn_cells(fig, ax, 9, 9)
    pad, black = cells[0, 4], cells[2, 2]  # a zero of the frame, a zero of the image
    assert np.abs(pad.astype(int) - black.astype(int)).sum() > 300, (pad, black)
    assert (cells[1:-1, 1:-1][square == 0] == black).all()  # the image's own zeros stay black
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["zero padding"]
    assert plot.conv_step(square, "sobel_x", 0, 0).axes[0].get_legend() is None  # no padding, no key


def test_same_padding_marks_only_the_padded_side():
    image = np.arange(36.0).reshape(6, 6)
    fig = plot.conv_step(image, "sobel_x", 0, 0, stride=2, padding="same")  # no zero on top, one at the bottom
    array = np.asarray(fig.axes[0].images[0].get_array())
    before, after = ops.padding_amounts(6, 3, 2, "same")
    assert (before, after) == (0, 1) and array.shape[:2] == (7, 7)
    pad_colours = {tuple(c) for c in _colors.PAD_RGB}
    assert all(tuple(array[6, c]) in pad_colours for c in range(7))
    assert not any(tuple(array[0, c]) in pad_colours for c in range(6))


def test_edge_maps_get_a_colour_bar_that_says_it_is_clipped():
    camera = images.to_float(images.load("camera"))
    maps = [ops.conv2d(camera, kernels.get(name), padding="same") for name in ("sobel_x", "laplacian")]
    fig = plot.grid(maps, ["sobel_x", "laplacian"], colorbar=True, keep_lines=True)
    panels = [ax for ax in fig.axes if ax.images]
    bars = [ax for ax in fig.axes if ax not in panels]
    assert len(panels) == 2 and len(bars) == 2
    lo, hi = panels[0].images[0].get_clim()
    assert (lo, hi) == _colors.limits(maps[0]) and maps[0].max() > hi  # robust limits: the strongest are clipped
    assert fig.axes[-1]._colorbar.extend == "both"
    fig = plot.show(np.linspace(-1.0, 1.0, 9).reshape(3, 3), colorbar=True)
    assert fig.axes[1]._colorbar.extend == "neither"  # nothing clipped, no arrows
    assert len(plot.before_after(camera, maps[0], colorbar=True).axes) == 4


def red_runs_across_the_middle(fig, ax) -> int:
    """How many separate red stretches a horizontal line through the middle of ``ax`` crosses."""
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    box = ax.get_window_extent()
    row = pixels[pixels.shape[0] - int((box.y0 + box.y1) / 2), int(box.x0) + 1:int(box.x1) - 1]
    red = (row[:, 0] > 150) & (row[:, 1] < 80)
    return int(red[0]) + int((red[1:] & ~red[:-1]).sum())


def test_keep_lines_keeps_every_one_pixel_edge_in_a_small_panel():
    edges = np.zeros((600, 600))
    edges[:, 5::10] = 1.0  # 60 vertical lines, each one pixel wide
    edges[0, 0] = -1.0  # a signed map: positive values are red
    seen = {keep: red_runs_across_the_middle(fig := plot.show(edges, size=2.0, keep_lines=keep), fig.axes[0])
            for keep in (False, True)}
    assert seen[True] == 60, seen
    assert seen[False] < 60, seen  # drawn pixel for pixel, the small panel skips lines


def test_strongest_keeps_the_sign_of_the_largest_magnitude():
    from cnnlab.plot import _style

    x = np.array([[1.0, -3.0, 0.5], [2.0, 0.0, -0.1], [0.0, 0.0, 0.2]])
    shrunk = _style.strongest(x, 2, 2)
    assert shrunk.tolist() == [[-3.0, 0.5], [0.0, 0.2]]
    assert _style.strongest(x, 3, 3) is x


def test_contour_paths_draws_the_surface_and_every_path_through_its_steps():
    x = np.linspace(-2, 2, 41)
    y = np.linspace(-1, 1, 21)
    surface = x[None, :] ** 2 + 10 * y[:, None] ** 2
    walk = np.array([[1.5, 0.8], [1.0, -0.5], [0.5, 0.2], [0.0, 0.0]])
    fig = plot.contour_paths(x, y, surface, {"walk": walk, "still": walk[:1]}, levels=[0.5, 1, 2, 4],
                             title="valley", xlabel="a", ylabel="b")
    ax = fig.axes[0]
    drawn = {line.get_label(): line for line in ax.get_lines()}
    assert np.array_equal(drawn["walk"].get_xydata(), walk) and "still" in drawn
    assert [round(level, 3) for level in ax.collections[0].levels] == [0.5, 1, 2, 4]
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1, 1)
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("valley", "a", "b")


def test_contour_paths_stops_a_path_at_its_first_step_outside():
    x = y = np.linspace(-1, 1, 11)
    blowing_up = np.array([[0.1, 0.0], [-0.5, 0.0], [3.0, 0.0], [-20.0, 0.0], [100.0, 0.0]])
    fig = plot.contour_paths(x, y, x[None, :] ** 2 + y[:, None] ** 2, {"up": blowing_up})
    drawn = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert np.array_equal(drawn["up"].get_xydata(), blowing_up[:3])
    assert fig.axes[0].get_xlim() == (-1, 1)


@pytest.mark.parametrize("args,error,match", [
    ((np.arange(3.0), np.arange(2.0), np.zeros((3, 3)), {}), ValueError, r"values must have shape \(len\(y\), len\(x\)\)"),
    ((np.arange(3.0)[::-1], np.arange(2.0), np.zeros((2, 3)), {}), ValueError, "x must be increasing"),
    ((np.arange(1.0), np.arange(2.0), np.zeros((2, 1)), {}), ValueError, "x must hold 2 to"),
    ((np.arange(3.0), np.arange(2.0), np.zeros((2, 3)), [[0, 0]]), TypeError, "paths must be a dict"),
    ((np.arange(3.0), np.arange(2.0), np.zeros((2, 3)), {"p": np.zeros((4, 3))}), ValueError,
     r"paths\['p'\] must have shape \(T, 2\)"),
])
def test_contour_paths_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        plot.contour_paths(*args)


def test_curves_on_a_log_axis_tick_at_the_given_values():
    sizes = np.array([1, 4, 16, 64])
    fig = plot.curves(sizes, {"angle": [60.0, 40.0, 20.0, 10.0]}, logx=True, marker="o")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["1", "4", "16", "64"]
    with pytest.raises(ValueError, match="x must be positive for logx=True"):
        plot.curves(np.array([0, 1]), {"a": [1, 2]}, logx=True)
