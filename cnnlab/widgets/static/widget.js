// cnnlab widgets: one self-contained ES module for the convolution, pooling,
// activation and flatten widgets (anywidget loads it; no imports, no build step).
//
// Python computes every number (cnnlab.ops) and sends the arrays once as binary
// buffers; this module only draws them and animates the steps with
// requestAnimationFrame. It writes `step` / `playing` / `speed` back to the
// model only when the user pauses, steps, scrubs or changes the speed, never
// once per frame. Parameter controls send {type: "set", name, value} to Python,
// which recomputes and answers with new arrays (or sets `error`).

export const PENDING_RGB = [206, 232, 208];
export const NEGATIVE_RGB = [33, 102, 172];
export const POSITIVE_RGB = [178, 24, 43];
const PAD_RGB = [[236, 236, 236], [214, 214, 214]];
const GAP_RGB = [250, 236, 200];   // between the tiles of the flatten widget's maps
const WINDOW_COLOR = "rgb(255, 176, 0)";
const PANEL_PX = 320;
const MAX_SPEED = 1000;
const MAX_LISTED = 81;   // window cells listed in the zoom panel (9x9)
const MAX_TERMS = 25;    // products written out in full

// The colour mapping; identical arithmetic to cnnlab/widgets/_colors.py:to_rgb_array.
export function toRGB(value, vmin, vmax) {
  if (vmin < 0) {
    if (value < 0) {
      const t = Math.min(value / vmin, 1);
      return NEGATIVE_RGB.map((e) => Math.floor(255 + t * (e - 255) + 0.5));
    }
    if (value > 0) {
      const t = vmax > 0 ? Math.min(value / vmax, 1) : 1;
      return POSITIVE_RGB.map((e) => Math.floor(255 + t * (e - 255) + 0.5));
    }
    return [255, 255, 255];
  }
  const span = vmax - vmin;
  const t = span <= 0 ? 0 : Math.min(Math.max((value - vmin) / span, 0), 1);
  const g = Math.floor(255 * t + 0.5);
  return [g, g, g];
}

// {shape, dtype, buffer: DataView} (as ipywidgets delivers binary buffers) -> {shape, data}.
export function decodeArray(wire) {
  if (!wire || !wire.buffer) return null;
  const buf = wire.buffer;
  let bytes;
  if (buf instanceof ArrayBuffer) bytes = new Uint8Array(buf);
  else if (ArrayBuffer.isView(buf)) bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  else throw new Error("cnnlab: an array arrived without a binary buffer");
  let data;
  if (wire.dtype === "uint8") {
    data = bytes;
  } else if (wire.dtype === "float32") {
    data = bytes.byteOffset % 4 === 0
      ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2)
      : new Float32Array(bytes.slice().buffer);
  } else {
    throw new Error(`cnnlab: unsupported dtype ${wire.dtype}`);
  }
  return { shape: wire.shape, dtype: wire.dtype, data };
}

// A number as a person writes it (mirrors _base.fmt): 12, 0.111, −37.5
export function fmt(x) {
  let text;
  const ax = Math.abs(x);
  if (Number.isInteger(x) && ax < 1e7) text = String(x);
  else if (ax >= 1) text = trimZeros(x.toFixed(2));
  else text = trimZeros(x.toFixed(3));
  if (text === "-0" || text === "0" || text === "-0.") return "0";
  return text.replace("-", "\u2212");
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

const paren = (x) => (x < 0 ? `(${fmt(x)})` : fmt(x));

function h(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function gridTable(rows, cols, cell) {
  // cell(i, j) -> {text, cls}
  const table = h("table", "cnnlab-grid");
  for (let i = 0; i < rows; i++) {
    const tr = h("tr");
    for (let j = 0; j < cols; j++) {
      const { text, cls } = cell(i, j);
      tr.appendChild(h("td", cls || "", text));
    }
    table.appendChild(tr);
  }
  return table;
}

function figure(caption, child) {
  const fig = h("figure");
  fig.appendChild(child);
  fig.appendChild(h("figcaption", "", caption));
  return fig;
}

// ------------------------------------------------------------------ per kind

// Each kind gives: inputPanel(S) -> {rows, cols, rgba}, windowRect(S, step) ->
// [top, left, height, width] in input-panel cells, zoom(S, step, parts) fills the zoom panel.

function padPixel(y, x) {
  return PAD_RGB[(y + x) % 2];
}

function convPanel(S) {
  const m = S.meta;
  const [H, W, C] = m.in_shape;
  const [t, b, l, r] = m.pad;
  const rows = H + t + b;
  const cols = W + l + r;
  const rgba = new Uint8ClampedArray(rows * cols * 4);
  const img = S.input.data;
  const isByte = S.input.dtype === "uint8";
  const lo = m.in_lo;
  const hi = m.in_hi;
  const toByte = (v) => (isByte ? v : Math.floor(Math.min(Math.max((v - lo) / (hi - lo), 0), 1) * 255 + 0.5));
  const view = m.params.channel;
  const ch = { R: 0, G: 1, B: 2 }[view];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const o = (y * cols + x) * 4;
      const iy = y - t;
      const ix = x - l;
      let rgb;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) rgb = padPixel(y, x);
      else {
        const base = (iy * W + ix) * C;
        if (C === 1) {
          const g = toByte(img[base]);
          rgb = [g, g, g];
        } else if (ch === undefined) {
          rgb = [toByte(img[base]), toByte(img[base + 1]), toByte(img[base + 2])];
        } else {
          const g = toByte(img[base + ch]);
          rgb = [g, g, g];
        }
      }
      rgba[o] = rgb[0]; rgba[o + 1] = rgb[1]; rgba[o + 2] = rgb[2]; rgba[o + 3] = 255;
    }
  }
  return { rows, cols, rgba };
}

function mapPanel(S) {
  // pooling and activation: one channel of values, coloured, with padding around
  const m = S.meta;
  const [H, W] = m.in_shape;
  const [t, b, l, r] = m.pad;
  const rows = H + t + b;
  const cols = W + l + r;
  const rgba = new Uint8ClampedArray(rows * cols * 4);
  const vals = S.input.data;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const o = (y * cols + x) * 4;
      const iy = y - t;
      const ix = x - l;
      const rgb = (iy < 0 || iy >= H || ix < 0 || ix >= W)
        ? padPixel(y, x) : toRGB(vals[iy * W + ix], m.in_vmin, m.in_vmax);
      rgba[o] = rgb[0]; rgba[o + 1] = rgb[1]; rgba[o + 2] = rgb[2]; rgba[o + 3] = 255;
    }
  }
  return { rows, cols, rgba };
}

function flattenPanel(S) {
  const m = S.meta;
  const [H, W, C] = m.in_shape;
  const [tileRows, tileCols] = m.tiles;
  const rows = tileRows * (H + 1) - 1;
  const cols = tileCols * (W + 1) - 1;
  const rgba = new Uint8ClampedArray(rows * cols * 4);
  for (let o = 0; o < rgba.length; o += 4) {
    rgba[o] = GAP_RGB[0]; rgba[o + 1] = GAP_RGB[1]; rgba[o + 2] = GAP_RGB[2]; rgba[o + 3] = 255;
  }
  const vals = S.input.data;
  for (let k = 0; k < C; k++) {
    const ty = Math.floor(k / tileCols) * (H + 1);
    const tx = (k % tileCols) * (W + 1);
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        const rgb = toRGB(vals[(r * W + c) * C + k], m.vmin, m.vmax);
        const o = ((ty + r) * cols + tx + c) * 4;
        rgba[o] = rgb[0]; rgba[o + 1] = rgb[1]; rgba[o + 2] = rgb[2];
      }
    }
  }
  return { rows, cols, rgba };
}

function slidingWindow(S, step) {
  const r = Math.floor(step / S.cols);
  const c = step % S.cols;
  const [sh, sw] = S.meta.stride;
  const [kh, kw] = S.meta.ksize;
  return [r * sh, c * sw, kh, kw];
}

function flattenSource(S, step) {
  const [, W, C] = S.meta.in_shape;
  const r = Math.floor(step / (W * C));
  const rest = step % (W * C);
  return [r, Math.floor(rest / C), rest % C];
}

function flattenWindow(S, step) {
  const [H, W] = S.meta.in_shape;
  const [r, c, k] = flattenSource(S, step);
  const tileCols = S.meta.tiles[1];
  return [Math.floor(k / tileCols) * (H + 1) + r, (k % tileCols) * (W + 1) + c, 1, 1];
}

function termsText(values, weights) {
  const n = values.length;
  const shown = n > MAX_TERMS ? 12 : n;
  const terms = [];
  for (let i = 0; i < shown; i++) terms.push(`${fmt(values[i])}\u00d7${paren(weights[i])}`);
  let text = terms.join(" + ");
  if (shown < n) text += ` + \u2026 (${n} products)`;
  return text;
}

function convZoom(S, step, ui) {
  const m = S.meta;
  const [H, W, C] = m.in_shape;
  const [t, , l] = m.pad;
  const [kh, kw] = m.ksize;
  const [sh, sw] = m.stride;
  const r = Math.floor(step / S.cols);
  const c = step % S.cols;
  const y0 = r * sh - t;
  const x0 = c * sw - l;
  const img = S.input.data;
  const kern = S.kernel.data;
  const kC = m.kernel_ndim === 3 ? C : 1;
  const value = S.output.data[step];
  const win = (ch) => {
    const vals = [];
    const pad = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const y = y0 + i;
        const x = x0 + j;
        const inside = y >= 0 && y < H && x >= 0 && x < W;
        vals.push(inside ? img[(y * W + x) * C + ch] : 0);
        pad.push(!inside);
      }
    }
    return { vals, pad };
  };
  const weights = (ch) => {
    const w = [];
    for (let i = 0; i < kh * kw; i++) w.push(kern[i * kC + (kC === 1 ? 0 : ch)]);
    return w;
  };
  const names = C === 3 ? ["R", "G", "B"] : [""];
  const view = m.params.channel;
  const chans = C === 1 ? [0] : view === "all" ? [0, 1, 2] : [{ R: 0, G: 1, B: 2 }[view]];
  ui.position.textContent = `step ${step + 1} of ${S.steps}: window at row ${y0 + t}, column ${x0 + l} \u2192 output[${r}, ${c}]`;
  ui.zoom.replaceChildren();
  ui.sum.replaceChildren();
  const list = kh * kw <= MAX_LISTED;
  const wins = chans.map(win);
  if (list) {
    chans.forEach((ch, n) => {
      const { vals, pad } = wins[n];
      ui.zoom.appendChild(figure(C === 1 ? "window" : `window, ${names[ch]}`, gridTable(kh, kw, (i, j) => ({
        text: fmt(vals[i * kw + j]), cls: pad[i * kw + j] ? "cnnlab-padcell" : "" }))));
    });
    ui.zoom.appendChild(h("span", "cnnlab-op", "\u00d7"));
    const kChans = kC === 1 ? [0] : chans;
    kChans.forEach((ch) => {
      const w = weights(ch);
      const caption = kC === 1 ? (C === 3 ? "kernel (same on R, G, B)" : "kernel") : `kernel, ${names[ch]}`;
      ui.zoom.appendChild(figure(caption, gridTable(kh, kw, (i, j) => ({ text: fmt(w[i * kw + j]) }))));
    });
    ui.zoom.appendChild(h("span", "cnnlab-op", "="));
  } else {
    ui.zoom.appendChild(h("span", "", `window and kernel are ${kh}\u00d7${kw}: too many numbers to list`));
  }
  const result = h("span", "cnnlab-result", fmt(value));
  const rgb = toRGB(value, m.vmin, m.vmax);
  result.style.background = `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
  result.style.color = (rgb[0] * 0.299 + rgb[1] * 0.587 + rgb[2] * 0.114) < 128 ? "#fff" : "#000";
  ui.zoom.appendChild(result);
  if (C === 1) {
    ui.sum.appendChild(h("div", "", `${termsText(wins[0].vals, weights(0))} = ${fmt(value)}`));
  } else {
    const parts = [0, 1, 2].map((ch) => S.parts.data[step * 3 + ch]);
    chans.forEach((ch, n) => {
      ui.sum.appendChild(h("div", "", `${names[ch]}: ${termsText(wins[n].vals, weights(ch))} = ${fmt(parts[ch])}`));
    });
    ui.sum.appendChild(h("div", "",
      `output = R + G + B = ${fmt(parts[0])} + ${paren(parts[1])} + ${paren(parts[2])} = ${fmt(value)}`));
  }
  ui.stats.textContent = "";
}

function poolZoom(S, step, ui) {
  const m = S.meta;
  const [H, W] = m.in_shape;
  const [t, , l] = m.pad;
  const [ph, pw] = m.ksize;
  const [top, left] = slidingWindow(S, step);
  const r = Math.floor(step / S.cols);
  const c = step % S.cols;
  const value = S.output.data[step];
  const vals = [];
  const cells = [];
  let best = -1;
  for (let i = 0; i < ph; i++) {
    for (let j = 0; j < pw; j++) {
      const y = top + i - t;
      const x = left + j - l;
      const inside = y >= 0 && y < H && x >= 0 && x < W;
      const v = inside ? S.input.data[y * W + x] : null;
      if (inside) {
        if (m.mode === "max" && best < 0 && v === value) best = cells.length;
        vals.push(v);
      }
      cells.push(v);
    }
  }
  ui.position.textContent = `step ${step + 1} of ${S.steps}: window at row ${top - t}, column ${left - l} \u2192 output[${r}, ${c}]`;
  ui.zoom.replaceChildren();
  if (ph * pw <= MAX_LISTED) {
    ui.zoom.appendChild(figure("window", gridTable(ph, pw, (i, j) => {
      const k = i * pw + j;
      if (cells[k] === null) return { text: "\u00b7", cls: "cnnlab-padcell" };
      return { text: fmt(cells[k]), cls: k === best ? "cnnlab-max" : "" };
    })));
    ui.zoom.appendChild(h("span", "cnnlab-op", "\u2192"));
  }
  const result = h("span", "cnnlab-result", fmt(value));
  const rgb = toRGB(value, m.vmin, m.vmax);
  result.style.background = `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
  result.style.color = (rgb[0] * 0.299 + rgb[1] * 0.587 + rgb[2] * 0.114) < 128 ? "#fff" : "#000";
  ui.zoom.appendChild(result);
  const listed = vals.length > MAX_TERMS ? `${vals.slice(0, 12).map(fmt).join(", ")}, \u2026` : vals.map(fmt).join(", ");
  const added = vals.length > MAX_TERMS ? `${vals.slice(0, 12).map(fmt).join(" + ")} + \u2026` : vals.map(fmt).join(" + ");
  ui.sum.replaceChildren(h("div", "", m.mode === "max"
    ? `max(${listed}) = ${fmt(value)}`
    : `(${added}) / ${vals.length} = ${fmt(value)}`));
  ui.stats.textContent = m.mode === "max" ? "the largest value in the window wins (outlined)" : "";
}

function activationZoom(S, step, ui) {
  const m = S.meta;
  const r = Math.floor(step / S.cols);
  const c = step % S.cols;
  const x = S.input.data[step];
  const y = S.output.data[step];
  ui.position.textContent = `step ${step + 1} of ${S.steps}: cell [${r}, ${c}]`;
  const box = (v, vmin, vmax) => {
    const node = h("span", "cnnlab-result", fmt(v));
    const rgb = toRGB(v, vmin, vmax);
    node.style.background = `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
    node.style.color = (rgb[0] * 0.299 + rgb[1] * 0.587 + rgb[2] * 0.114) < 128 ? "#fff" : "#000";
    return node;
  };
  ui.zoom.replaceChildren(figure("before", box(x, m.in_vmin, m.in_vmax)), h("span", "cnnlab-op", "\u2192"),
    figure(`after ${m.activation}`, box(y, m.vmin, m.vmax)));
  let middle;
  if (m.activation === "relu") middle = `max(0, ${fmt(x)})`;
  else if (m.activation === "leaky_relu") middle = x > 0 ? fmt(x) : `${fmt(m.slope)} \u00d7 ${paren(x)}`;
  else if (m.activation === "sigmoid") middle = `1 / (1 + e^(${fmt(-x)}))`;
  else middle = `tanh(${fmt(x)})`;
  ui.sum.replaceChildren(h("div", "", `${m.activation}(${fmt(x)}) = ${middle} = ${fmt(y)}`));
  ui.stats.textContent = m.stats;
}

function flattenZoom(S, step, ui) {
  const m = S.meta;
  const [, W, C] = m.in_shape;
  const [r, c, k] = flattenSource(S, step);
  const value = S.output.data[step];
  ui.position.textContent = `step ${step + 1} of ${S.steps}: maps[${r}, ${c}, ${k}] \u2192 vector[${step}]`;
  const lo = Math.max(0, step - 6);
  const hi = Math.min(S.n, lo + 13);
  const strip = h("table", "cnnlab-grid cnnlab-strip");
  const idx = h("tr");
  const val = h("tr");
  for (let i = lo; i < hi; i++) {
    idx.appendChild(h("td", "", String(i)));
    const cls = i === step ? "cnnlab-current" : i > step ? "cnnlab-later" : "";
    val.appendChild(h("td", cls, i > step ? "?" : fmt(S.output.data[i])));
  }
  strip.append(idx, val);
  ui.zoom.replaceChildren(figure("vector index / value", strip));
  ui.sum.replaceChildren(
    h("div", "", `index = (r \u00d7 W + c) \u00d7 C + k = (${r} \u00d7 ${W} + ${c}) \u00d7 ${C} + ${k} = ${step}`),
    h("div", "", `vector[${step}] = maps[${r}, ${c}, ${k}] = ${fmt(value)}`));
  ui.stats.textContent = m.describe;
}

const KINDS = {
  convolution: { panel: convPanel, window: slidingWindow, zoom: convZoom },
  pooling: { panel: mapPanel, window: slidingWindow, zoom: poolZoom },
  activation: { panel: mapPanel, window: slidingWindow, zoom: activationZoom },
  flatten: { panel: flattenPanel, window: flattenWindow, zoom: flattenZoom },
};

const LABELS = {
  kernel: "kernel", stride: "stride", padding: "padding", channel: "channel", size: "window",
  mode: "mode", activation: "activation",
};

const PANEL_LABELS = {
  convolution: ["input image (with padding)", "feature map (output)"],
  pooling: ["feature map", "pooled map (output)"],
  activation: ["before", "after (output)"],
  flatten: ["maps (one tile per channel)", "flattened vector"],
};

// ------------------------------------------------------------------ render

function render({ model, el }) {
  const abort = new AbortController();
  const listen = (target, type, fn) => target.addEventListener(type, fn, { signal: abort.signal });
  const modelHandlers = [];
  const onModel = (name, fn) => { model.on(name, fn); modelHandlers.push([name, fn]); };

  const kind = model.get("kind") || (model.get("meta") || {}).kind || "convolution";
  const impl = KINDS[kind] || KINDS.convolution;

  // ---- DOM
  const root = h("div", "cnnlab-widget");
  root.tabIndex = 0;
  Object.assign(root.dataset, { kind, step: "0", steps: "0", frames: "0", playing: "false", ready: "false" });
  const header = h("div", "cnnlab-header");
  const title = h("span", "cnnlab-title");
  const describe = h("span", "cnnlab-describe");
  const scaleNote = h("span", "cnnlab-scale-note");
  header.append(title, describe, scaleNote);

  const main = h("div", "cnnlab-main");
  const [inLabel, outLabel] = PANEL_LABELS[kind] || PANEL_LABELS.convolution;
  const inFig = h("figure", "cnnlab-panel");
  const inCanvas = h("canvas", "cnnlab-input");
  inFig.append(h("figcaption", "cnnlab-label", inLabel), inCanvas);
  const outFig = h("figure", "cnnlab-panel");
  const stack = h("div", "cnnlab-stack");
  const outCanvas = h("canvas", "cnnlab-output");
  const marker = h("canvas", "cnnlab-marker");
  stack.append(outCanvas, marker);
  outFig.append(h("figcaption", "cnnlab-label", outLabel), stack);
  const zoomPanel = h("div", "cnnlab-zoom-panel");
  const ui = {
    position: h("div", "cnnlab-position"), zoom: h("div", "cnnlab-zoom"),
    sum: h("div", "cnnlab-sum"), stats: h("div", "cnnlab-stats"),
  };
  zoomPanel.append(ui.position, ui.zoom, ui.sum, ui.stats);
  main.append(inFig, outFig, zoomPanel);

  const controls = h("div", "cnnlab-controls");
  const back = h("button", "cnnlab-back", "\u25c0 Step");
  const play = h("button", "cnnlab-play", "\u25b6 Play");
  const forward = h("button", "cnnlab-forward", "Step \u25b6");
  for (const b of [back, play, forward]) b.type = "button";
  back.title = "one step back (\u2190)";
  forward.title = "one step forward (\u2192)";
  play.title = "play / pause (space)";
  play.setAttribute("aria-pressed", "false");
  const scrub = h("input", "cnnlab-scrub");
  Object.assign(scrub, { type: "range", min: "0", max: "0", step: "1", value: "0" });
  scrub.setAttribute("aria-label", "step");
  const readout = h("span", "cnnlab-readout");
  const speedInput = h("input", "cnnlab-speed");
  Object.assign(speedInput, { type: "range", min: "1", max: String(MAX_SPEED), step: "1" });
  speedInput.setAttribute("aria-label", "speed in steps per second");
  const speedText = h("span", "cnnlab-readout");
  const scrubLabel = h("label", "", "step");
  scrubLabel.append(scrub);
  const speedLabel = h("label", "", "speed");
  speedLabel.append(speedInput, speedText);
  controls.append(back, play, forward, scrubLabel, readout, speedLabel);

  const params = h("div", "cnnlab-params");
  const selects = {};
  let kernelText = null;
  let apply = null;
  const meta0 = model.get("meta") || {};
  for (const name of Object.keys(meta0.options || {})) {
    const label = h("label", "", LABELS[name] || name);
    const select = h("select", `cnnlab-${name}`);
    label.append(select);
    params.append(label);
    selects[name] = { label, select };
    if (name === "kernel") {
      kernelText = h("input", "cnnlab-kernel-text");
      kernelText.type = "text";
      kernelText.placeholder = "-1 0 1; -2 0 2; -1 0 1";
      kernelText.setAttribute("aria-label", "kernel values, rows separated by ;");
      apply = h("button", "cnnlab-apply", "Apply");
      apply.type = "button";
      params.append(kernelText, apply);
    }
  }
  const error = h("div", "cnnlab-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  root.append(header, main, controls, params, error);
  el.appendChild(root);

  const inCtx = inCanvas.getContext("2d");
  const outCtx = outCanvas.getContext("2d");
  const markCtx = marker.getContext("2d");
  const inSource = document.createElement("canvas");

  // ---- state
  let S = null;            // current scene: meta, arrays, sizes, colours
  let step = 0;
  let playing = false;
  let speed = Number(model.get("speed")) || 10;
  let pos = 0;
  let lastT = null;
  let raf = 0;
  let frames = 0;
  let zoomStep = -1;
  let drawnUpTo = -1;
  let outImage = null;
  let pending = false;
  let disposed = false;

  function rebuild() {
    pending = false;
    if (disposed) return;
    const meta = model.get("meta");
    const input = decodeArray(model.get("input_data"));
    const output = decodeArray(model.get("output_data"));
    if (!meta || !input || !output) return;
    const grid = meta.grid;
    S = {
      meta, input, output,
      kernel: decodeArray(model.get("kernel_data")),
      parts: decodeArray(model.get("parts_data")),
      steps: meta.steps, n: meta.n, rows: grid[0], cols: grid.length > 1 ? grid[1] : 1,
    };
    // output canvas: whole pixels per cell, no smoothing
    const sOut = Math.max(1, Math.floor(PANEL_PX / Math.max(S.rows, S.cols)));
    S.sOut = sOut;
    outCanvas.width = marker.width = S.cols * sOut;
    outCanvas.height = marker.height = S.rows * sOut;
    outCanvas.style.width = marker.style.width = `${S.cols * sOut}px`;
    outCanvas.style.height = marker.style.height = `${S.rows * sOut}px`;
    Object.assign(outCanvas.dataset, { scale: String(sOut), vmin: String(meta.vmin), vmax: String(meta.vmax) });
    S.colors = new Uint8ClampedArray(S.n * 3);
    for (let i = 0; i < S.n; i++) {
      const rgb = toRGB(output.data[i], meta.vmin, meta.vmax);
      S.colors[i * 3] = rgb[0]; S.colors[i * 3 + 1] = rgb[1]; S.colors[i * 3 + 2] = rgb[2];
    }
    outImage = outCtx.createImageData(outCanvas.width, outCanvas.height);
    for (let i = 0; i < S.n; i++) paintCell(i, PENDING_RGB[0], PENDING_RGB[1], PENDING_RGB[2]);
    drawnUpTo = -1;
    // input canvas: the panel at one pixel per cell, drawn scaled up
    const panel = impl.panel(S);
    S.panel = panel;
    inSource.width = panel.cols;
    inSource.height = panel.rows;
    inSource.getContext("2d").putImageData(new ImageData(panel.rgba, panel.cols, panel.rows), 0, 0);
    const sIn = Math.max(1, Math.floor(PANEL_PX / Math.max(panel.rows, panel.cols)));
    S.sIn = sIn;
    inCanvas.width = panel.cols * sIn;
    inCanvas.height = panel.rows * sIn;
    inCanvas.style.width = `${inCanvas.width}px`;
    inCanvas.style.height = `${inCanvas.height}px`;
    inCanvas.dataset.scale = String(sIn);
    // texts and controls
    title.textContent = meta.title || "";
    describe.textContent = meta.describe || "";
    scaleNote.textContent = meta.scale_note || "";
    root.dataset.steps = String(S.steps);
    scrub.max = String(S.steps - 1);
    syncControls(true);
    const wanted = playing ? step : Number(model.get("step")) || 0;
    step = Math.min(Math.max(wanted, 0), S.steps - 1);
    pos = step;
    zoomStep = -1;
    show(step);
    root.dataset.ready = "true";
  }

  function schedule() {
    if (!pending) {
      pending = true;
      queueMicrotask(rebuild);
    }
  }

  function paintCell(i, r, g, b) {
    const s = S.sOut;
    const row = Math.floor(i / S.cols);
    const col = i % S.cols;
    const width = outImage.width;
    const data = outImage.data;
    for (let y = row * s; y < (row + 1) * s; y++) {
      let o = (y * width + col * s) * 4;
      for (let x = 0; x < s; x++, o += 4) {
        data[o] = r; data[o + 1] = g; data[o + 2] = b; data[o + 3] = 255;
      }
    }
  }

  function drawOutput(upTo) {
    if (upTo > drawnUpTo) {
      for (let i = drawnUpTo + 1; i <= upTo; i++) paintCell(i, S.colors[i * 3], S.colors[i * 3 + 1], S.colors[i * 3 + 2]);
    } else {
      for (let i = upTo + 1; i <= drawnUpTo; i++) paintCell(i, PENDING_RGB[0], PENDING_RGB[1], PENDING_RGB[2]);
    }
    drawnUpTo = upTo;
    outCtx.imageSmoothingEnabled = false;
    outCtx.putImageData(outImage, 0, 0);
  }

  function drawInput(s) {
    inCtx.imageSmoothingEnabled = false;
    inCtx.clearRect(0, 0, inCanvas.width, inCanvas.height);
    inCtx.drawImage(inSource, 0, 0, inCanvas.width, inCanvas.height);
    const [top, left, hh, ww] = impl.window(S, s);
    const k = S.sIn;
    const line = Math.max(2, Math.floor(k / 3));
    inCtx.fillStyle = "rgba(255, 176, 0, 0.18)";
    inCtx.fillRect(left * k, top * k, ww * k, hh * k);
    // a ring on the window's border: dark inside for contrast, orange outside
    inCtx.lineWidth = 1;
    inCtx.strokeStyle = "rgba(0, 0, 0, 0.8)";
    inCtx.strokeRect(left * k + 0.5, top * k + 0.5, ww * k - 1, hh * k - 1);
    inCtx.lineWidth = line;
    inCtx.strokeStyle = WINDOW_COLOR;
    inCtx.strokeRect(left * k - line / 2, top * k - line / 2, ww * k + line, hh * k + line);
  }

  function drawMarker(s) {
    markCtx.clearRect(0, 0, marker.width, marker.height);
    const k = S.sOut;
    const r = Math.floor(s / S.cols);
    const c = s % S.cols;
    markCtx.lineWidth = 2;
    markCtx.strokeStyle = "rgba(0, 0, 0, 0.85)";
    markCtx.strokeRect(c * k - 1, r * k - 1, k + 2, k + 2);
    markCtx.strokeStyle = WINDOW_COLOR;
    markCtx.strokeRect(c * k - 3, r * k - 3, k + 6, k + 6);
  }

  function show(s) {
    if (!S) return;
    step = s;
    drawOutput(s);
    drawInput(s);
    drawMarker(s);
    if (zoomStep !== s) {
      zoomStep = s;
      impl.zoom(S, s, ui);
      const [r, c] = [Math.floor(s / S.cols), s % S.cols];
      readout.textContent = kind === "flatten" ? `${s + 1} / ${S.steps}` : `${s + 1} / ${S.steps}  [${r}, ${c}]`;
      scrub.value = String(s);
      root.dataset.step = String(s);
    }
  }

  function saveStep() {
    model.set("step", step);
    model.save_changes();
  }

  function setPlaying(on, sync = true) {
    if (!S || on === playing) return;
    playing = on;
    root.dataset.playing = String(on);
    play.textContent = on ? "\u275a\u275a Pause" : "\u25b6 Play";
    play.setAttribute("aria-pressed", String(on));
    if (on) {
      if (step >= S.steps - 1) show(0);
      pos = step;
      lastT = null;
      raf = requestAnimationFrame(tick);
    } else if (raf) {
      cancelAnimationFrame(raf);
      raf = 0;
    }
    if (sync) {
      model.set("playing", on);
      model.set("step", step);
      model.save_changes();
    }
  }

  function tick(t) {
    raf = 0;
    if (!playing || !S) return;
    if (lastT === null) lastT = t;
    const dt = Math.min(Math.max(t - lastT, 0), 250);
    lastT = t;
    pos += (dt * speed) / 1000;
    const s = Math.min(Math.floor(pos), S.steps - 1);
    show(s);
    frames += 1;
    root.dataset.frames = String(frames);
    if (s >= S.steps - 1) setPlaying(false);
    else raf = requestAnimationFrame(tick);
  }

  function goTo(s) {
    if (!S) return;
    if (playing) setPlaying(false);
    show(Math.min(Math.max(s, 0), S.steps - 1));
    pos = step;
    saveStep();
  }

  function syncControls(withText) {
    const meta = model.get("meta") || {};
    for (const [name, { label, select }] of Object.entries(selects)) {
      const options = (meta.options || {})[name] || [];
      if (select.options.length !== options.length || [...select.options].some((o, i) => o.value !== options[i])) {
        select.replaceChildren(...options.map((o) => {
          const opt = h("option", "", o === "auto" ? "same as window" : o);
          opt.value = o;
          return opt;
        }));
      }
      select.value = (meta.params || {})[name] ?? "";
      label.hidden = options.length < 2;
    }
    if (kernelText && withText) kernelText.value = (meta.params || {}).kernel_text || "";
  }

  function request(name, value) {
    model.send({ type: "set", name, value });
  }

  function optionValue(text) {
    if (text === "auto") return null;
    if (/^\d+$/.test(text)) return Number(text);
    if (/^\d+,\d+$/.test(text)) return text.split(",").map(Number);
    return text;
  }

  // ---- listeners
  listen(play, "click", () => setPlaying(!playing));
  listen(back, "click", () => goTo(step - 1));
  listen(forward, "click", () => goTo(step + 1));
  listen(scrub, "input", () => {
    if (playing) setPlaying(false);
    show(Number(scrub.value));
    pos = step;
  });
  listen(scrub, "change", () => saveStep());
  listen(speedInput, "input", () => {
    speed = Number(speedInput.value);
    speedText.textContent = `${speed} steps/s`;
  });
  listen(speedInput, "change", () => {
    model.set("speed", speed);
    model.save_changes();
  });
  listen(stack, "click", (event) => {
    if (!S) return;
    const rect = outCanvas.getBoundingClientRect();
    const c = Math.floor((event.clientX - rect.left) / S.sOut);
    const r = Math.floor((event.clientY - rect.top) / S.sOut);
    const s = r * S.cols + c;
    if (r >= 0 && c >= 0 && c < S.cols && s < S.n) goTo(s);
  });
  for (const [name, { select }] of Object.entries(selects)) {
    listen(select, "change", () => {
      if (name === "kernel" && select.value === "custom") {
        kernelText.focus();
        return;
      }
      request(name, optionValue(select.value));
    });
  }
  if (kernelText) {
    listen(apply, "click", () => request("kernel", kernelText.value));
    listen(kernelText, "keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        request("kernel", kernelText.value);
      }
    });
  }
  listen(root, "keydown", (event) => {
    const tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    if (event.key === " " || event.key === "k") setPlaying(!playing);
    else if (event.key === "ArrowLeft") goTo(step - 1);
    else if (event.key === "ArrowRight") goTo(step + 1);
    else if (event.key === "Home") goTo(0);
    else if (event.key === "End" && S) goTo(S.steps - 1);
    else return;
    event.preventDefault();
  });

  for (const name of ["meta", "input_data", "output_data", "kernel_data", "parts_data"]) {
    onModel(`change:${name}`, schedule);
  }
  onModel("change:step", () => {
    const s = Number(model.get("step"));
    if (S && Number.isInteger(s) && s !== step && s >= 0 && s < S.steps) {
      show(s);
      pos = s;
    }
  });
  onModel("change:playing", () => setPlaying(Boolean(model.get("playing")), false));
  onModel("change:speed", () => {
    speed = Number(model.get("speed")) || speed;
    speedInput.value = String(Math.round(speed));
    speedText.textContent = `${Math.round(speed)} steps/s`;
  });
  const showError = () => {
    const text = model.get("error") || "";
    error.textContent = text;
    error.hidden = !text;
  };
  onModel("change:error", showError);
  onModel("msg:custom", (msg) => {
    if (msg && msg.type === "ack") {
      syncControls(Boolean(msg.ok));
      showError();
    }
  });

  // ---- first draw
  speedInput.value = String(Math.round(speed));
  speedText.textContent = `${Math.round(speed)} steps/s`;
  showError();
  rebuild();
  if (model.get("playing")) setPlaying(true, false);

  return () => {
    disposed = true;
    playing = false;
    if (raf) cancelAnimationFrame(raf);
    raf = 0;
    abort.abort();
    for (const [name, fn] of modelHandlers) model.off(name, fn);
    root.remove();
  };
}

export default { render };
