// ------------------------------------------------------------------ helpers the sliding kinds share

import { cssColor, decodeArray, fmt, slidingWindow, stepCell, style, toRGB } from "./arith.js";
import { beginOverlay, figure, fillLegend, fillPendingKey, fitOverlay, gridTable, h, hideLegend, outline, paddedPanel, resultBox } from "./dom.js";

// The window of a sliding kind (convolution, pooling, activation, morphology), in padded-input cells.
export function windowOfStep(S, step) {
  const [row, col] = stepCell(step, S.cols);
  return slidingWindow(row, col, S.meta.ksize, S.meta.stride);
}

export function windowPosition(S, step, top, left) {
  const [r, c] = stepCell(step, S.cols);
  return `step ${step + 1} of ${S.steps}: window at row ${top}, column ${left} \u2192 output[${r}, ${c}]`;
}

// The window at `step` over the drawn channel: its cells row by row (null where padding is), the
// real values among them, its size, and where it sits in the map (row, col: negative in the padding).
function windowCells(S, step) {
  const [H, W] = S.meta.in_shape;
  const [t, , l] = S.meta.pad;
  const [top, left, ph, pw] = windowOfStep(S, step);
  const cells = [];
  for (let i = 0; i < ph; i++) {
    for (let j = 0; j < pw; j++) {
      const y = top + i - t;
      const x = left + j - l;
      cells.push(y >= 0 && y < H && x >= 0 && x < W ? S.input.data[y * W + x] : null);
    }
  }
  return { cells, vals: cells.filter((v) => v !== null), ph, pw, row: top - t, col: left - l };
}

// The numbers panel of a kind whose window keeps one of its values (max pooling, dilation, erosion:
// `keeps`, that cell outlined) or their average: the window, the result, and the line
// `line(listed, cut, count, value)` writes from the values as printed.
export function windowZoom(S, step, ui, keeps, line) {
  const st = S.st;
  const { cells, vals, ph, pw, row, col } = windowCells(S, step);
  const value = S.output.data[step];
  const best = keeps ? cells.indexOf(value) : -1;
  ui.position.textContent = windowPosition(S, step, row, col);
  ui.zoom.replaceChildren();
  if (ph * pw <= st.max_listed) {
    ui.zoom.appendChild(figure("window", gridTable(ph, pw, (i, j) => {
      const k = i * pw + j;
      if (cells[k] === null) return { text: "\u00b7", cls: "cnnlab-padcell" };
      return { text: fmt(cells[k]), cls: k === best ? "cnnlab-max" : "" };
    })));
    ui.zoom.appendChild(h("span", "cnnlab-op", "\u2192"));
  }
  ui.zoom.appendChild(resultBox(value, S.meta.vmin, S.meta.vmax, st));
  const cut = vals.length > st.max_terms;
  const listed = (cut ? vals.slice(0, Math.floor(st.max_terms / 2)) : vals).map(fmt);
  ui.sum.replaceChildren(h("div", "", line(listed, cut, vals.length, fmt(value))));
}

// pooling, activation, morphology: one channel of values, coloured, with padding around
export function mapPanel(S) {
  const m = S.meta;
  const W = m.in_shape[1];
  return paddedPanel(S, (iy, ix) => toRGB(S.input.data[iy * W + ix], m.in_vmin, m.in_vmax, S.st));
}

// ------------------------------------------------------------------ the painter

const ZOOM_MS = 60;  // while playing, the numbers panel is rebuilt at most this often (about 16 per second)

// The arrays of the model's current state, decoded, with what drawing them needs; null while incomplete.
export function loadScene(model) {
  const meta = model.get("meta");
  const input = decodeArray(model.get("input_data"));
  const output = decodeArray(model.get("output_data"));
  if (!meta || !input || !output) return null;
  const grid = meta.grid;
  return {
    meta, input, output, st: style(meta),
    kernel: decodeArray(model.get("kernel_data")),
    parts: decodeArray(model.get("parts_data")),
    steps: meta.steps, n: meta.n, rows: grid[0], cols: grid.length > 1 ? grid[1] : 1,
  };
}

// The colour keys a kind picks (spec.legend): the output's alone (convolution) ...
export function outputLegend(view, S) {
  const { meta, output } = S;
  fillLegend(view.outPanel.legend, [output.data], meta.vmin, meta.vmax, S.st, "", meta.clip_note);
}

// ... the maps' only, under the input (flatten: the vector has the maps' values) ...
export function inputLegend(view, S) {
  const { meta, input } = S;
  fillLegend(view.inPanel.legend, [input.data], meta.vmin, meta.vmax, S.st, "", meta.clip_note);
}

// ... or one key for both maps when they share colours, else one under each (meta.in_vmin / in_vmax).
export function sharedLegend(view, S) {
  const { meta, st, input, output } = S;
  if (meta.in_vmin === meta.vmin && meta.in_vmax === meta.vmax) {
    fillLegend(view.outPanel.legend, [input.data, output.data], meta.vmin, meta.vmax, st, "both maps:", meta.clip_note);
    return;
  }
  fillLegend(view.outPanel.legend, [output.data], meta.vmin, meta.vmax, st, "", meta.clip_note);
  fillLegend(view.inPanel.legend, [input.data], meta.in_vmin, meta.in_vmax, st, "", meta.in_clip_note);
}

// Texts and colour keys of a new scene; the input's caption says when padding is drawn around it.
function describeScene(view, spec, S) {
  const { meta } = S;
  const padded = meta.pad.some((p) => p > 0);
  const extra = spec.caption ? spec.caption(meta) : "";
  view.inPanel.captionText.textContent = view.inLabel + extra + (padded ? " + padding (checkered)" : "");
  view.title.textContent = meta.title;
  view.describe.textContent = meta.describe;
  view.scaleNote.textContent = meta.scale_note;
  hideLegend(view.outPanel.legend);
  hideLegend(view.inPanel.legend);
  spec.legend(view, S);
  fillPendingKey(view.outPanel.pending, S.st, meta.pending_note);
  view.root.dataset.steps = String(S.steps);
  view.scrub.max = String(S.steps - 1);
}

// The output canvas: cells up to a step in their colours, later ones pending, and the ring on the
// cell being computed (on its overlay).
function createOutputLayer(panel) {
  const canvas = panel.canvas;
  const ctx = canvas.getContext("2d");
  const markCtx = panel.overlay.getContext("2d");
  let S = null;
  let colors = null;       // RGB of each output cell
  let image = null;
  let drawnUpTo = -1;
  let stale = true;        // the canvas was resized (cleared): copy all of it
  let fit = null;

  function paintCell(i, rgb) {
    const s = S.sOut;
    const [row, col] = stepCell(i, S.cols);
    const width = image.width;
    const data = image.data;
    for (let y = row * s; y < (row + 1) * s; y++) {
      let o = (y * width + col * s) * 4;
      for (let x = 0; x < s; x++, o += 4) {
        data[o] = rgb[0]; data[o + 1] = rgb[1]; data[o + 2] = rgb[2]; data[o + 3] = 255;
      }
    }
  }

  function setScene(scene) {
    S = scene;
    const { meta, st } = S;
    S.sOut = Math.max(1, Math.floor(st.panel_px / Math.max(S.rows, S.cols)));
    canvas.width = S.cols * S.sOut;
    canvas.height = S.rows * S.sOut;
    Object.assign(canvas.dataset, { scale: String(S.sOut), vmin: String(meta.vmin), vmax: String(meta.vmax) });
    colors = new Uint8ClampedArray(S.n * 3);
    for (let i = 0; i < S.n; i++) colors.set(toRGB(S.output.data[i], meta.vmin, meta.vmax, st), i * 3);
    image = ctx.createImageData(canvas.width, canvas.height);
    for (let i = 0; i < S.n; i++) paintCell(i, st.pending_rgb);
    drawnUpTo = -1;
    stale = true;
  }

  // only the rows that change are copied to the canvas (all of them after a new scene)
  function draw(upTo) {
    const [from, to] = upTo > drawnUpTo ? [drawnUpTo + 1, upTo] : [upTo + 1, drawnUpTo];
    for (let i = from; i <= to; i++) paintCell(i, i <= upTo ? colors.subarray(i * 3, i * 3 + 3) : S.st.pending_rgb);
    drawnUpTo = upTo;
    if (stale) {
      stale = false;
      ctx.putImageData(image, 0, 0);
    } else if (from <= to) {
      const top = stepCell(from, S.cols)[0] * S.sOut;
      const bottom = (stepCell(to, S.cols)[0] + 1) * S.sOut;
      ctx.putImageData(image, 0, 0, 0, top, image.width, bottom - top);
    }
  }

  // The cell being computed: a dark ring and a bright ring around it, fully visible at the edges.
  function mark(s) {
    if (!fit) return;
    beginOverlay(markCtx, panel.overlay, fit);
    const [row, col] = stepCell(s, S.cols);
    const rect = [col * S.sOut * fit.fx, row * S.sOut * fit.fy, S.sOut * fit.fx, S.sOut * fit.fy];
    outline(markCtx, rect, 1, 2, "rgba(0, 0, 0, 0.85)");
    outline(markCtx, rect, 3.5, 3, cssColor(S.st.window_rgb));
  }

  // The step of the output cell under a click, or -1.
  function stepAt(event) {
    if (!S) return -1;
    const rect = canvas.getBoundingClientRect();   // the canvas may be drawn smaller than its pixels
    const c = Math.floor(((event.clientX - rect.left) / rect.width) * S.cols);
    const r = Math.floor(((event.clientY - rect.top) / rect.height) * S.rows);
    const s = r * S.cols + c;
    return r >= 0 && c >= 0 && c < S.cols && r < S.rows && s < S.n ? s : -1;
  }

  return { setScene, draw, mark, stepAt, refit: () => { fit = fitOverlay(canvas, panel.overlay); } };
}

// The input canvas: the kind's panel at one pixel per cell, drawn scaled up once, and the window on
// its overlay (which reaches MARGIN px beyond the input, so nothing is clipped).
function createInputLayer(panel, spec) {
  const canvas = panel.canvas;
  const ctx = canvas.getContext("2d");
  const windowCtx = panel.overlay.getContext("2d");
  let S = null;
  let fit = null;

  function setScene(scene) {
    S = scene;
    const picture = spec.panel(S);
    S.sIn = Math.max(1, Math.floor(S.st.panel_px / Math.max(picture.rows, picture.cols)));
    const source = document.createElement("canvas");
    source.width = picture.cols;
    source.height = picture.rows;
    source.getContext("2d").putImageData(new ImageData(picture.rgba, picture.cols, picture.rows), 0, 0);
    canvas.width = picture.cols * S.sIn;
    canvas.height = picture.rows * S.sIn;
    canvas.dataset.scale = String(S.sIn);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  }

  // a tinted fill, a dark line just inside and a ring outside the window's border
  function drawWindow(s) {
    if (!fit) return;
    beginOverlay(windowCtx, panel.overlay, fit);
    const g = { cx: S.sIn * fit.fx, cy: S.sIn * fit.fy };
    if (spec.decorate) spec.decorate(S, s, windowCtx, g);
    const [top, left, hh, ww] = spec.window(S, s);
    const rect = [left * g.cx, top * g.cy, ww * g.cx, hh * g.cy];
    windowCtx.fillStyle = cssColor(S.st.window_rgb, 0.18);
    windowCtx.fillRect(...rect);
    outline(windowCtx, rect, -0.75, 1.5, "rgba(0, 0, 0, 0.8)");
    outline(windowCtx, rect, 1.5, 3, cssColor(S.st.window_rgb));
  }

  return { setScene, drawWindow, refit: () => { fit = fitOverlay(canvas, panel.overlay); } };
}

// Draws one scene into the view: the input picture once, then any step (output cells up to it,
// the window on the input, the ring on the output cell, the numbers panel).
export function createPainter(view, spec) {
  const input = createInputLayer(view.inPanel, spec);
  const output = createOutputLayer(view.outPanel);
  let S = null;
  let zoomStep = -1;
  let zoomTime = -Infinity;
  let shown = 0;
  const refit = () => { input.refit(); output.refit(); };

  function setScene(scene) {
    S = scene;
    output.setScene(S);
    input.setScene(S);
    describeScene(view, spec, S);
    zoomStep = -1;
    refit();
  }

  // Step `s`: the canvases always; the numbers panel at most every ZOOM_MS while `live` (playing),
  // since rebuilding it is most of a frame's work and nobody reads 100 sums a second.
  function show(s, live = false) {
    if (!S) return;
    shown = s;
    output.draw(s);
    input.drawWindow(s);
    output.mark(s);
    if (zoomStep === s) return;
    view.readout.textContent = `${s + 1} / ${S.steps}`;
    view.scrub.value = String(s);
    view.root.dataset.step = String(s);
    const now = performance.now();
    if (live && now - zoomTime < ZOOM_MS) return;
    zoomStep = s;
    zoomTime = now;
    spec.zoom(S, s, view.ui);
  }

  const resized = new ResizeObserver(() => {
    if (!S) return;
    refit();
    input.drawWindow(shown);
    output.mark(shown);
  });
  resized.observe(view.inPanel.canvas);
  resized.observe(view.outPanel.canvas);

  return {
    setScene, show, stepAt: output.stepAt,
    steps: () => (S ? S.steps : 0),
    dispose: () => { resized.disconnect(); S = null; },
  };
}
