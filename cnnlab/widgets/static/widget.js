// cnnlab widgets: one self-contained ES module for the convolution, pooling,
// activation, flatten, draw, IoU and NMS widgets (anywidget loads it; no imports, no build step).
//
// Python computes every number (cnnlab.ops) and sends the arrays once as binary
// buffers, with the colours and sizes to draw them in (`meta.style`); this module
// only draws them and animates the steps with requestAnimationFrame. It writes
// `step` / `playing` / `speed` back to the model only when the user pauses, steps,
// scrubs or changes the speed, never once per frame. Parameter controls send
// {type: "set", name, value} to Python, which recomputes and answers with new
// arrays (or sets `error`) and an {type: "ack", ok} message.
//
// Parts, top to bottom:
//   style and arithmetic   style, toRGB, decodeArray, fmt, weightText, dotProduct,
//                          slidingWindow, stepCell (exported: tests run them in Chromium)
//   drawing helpers        DOM builders, the coloured result box, outlines, legends, overlays
//   per kind               the input panel, the window and the numbers panel of each widget kind
//   buildView              the DOM of one widget
//   createPainter          draws a scene (the arrays of one state) and one step of it
//   createPlayer           play / pause / step / scrub / speed and the animation loop
//   bindControls           the buttons, sliders and keys, to the player
//   presenter keys         a clicker's keys go to the widget in view when nothing has focus (one listener per page)
//   bindModel              traits and messages: model -> scene, controls -> "set" messages
//   the draw widget        areaAverage, buildDrawView, createPad, drawMaps/drawDigit/drawBars, renderDraw
//   the box widgets        boxIoU, dragBox (exported), the photo panel, renderIoU (drag two boxes),
//                          renderNMS (the player of the animated kinds over NMS decisions)
//   render                 puts the parts together; returns the cleanup

const MARGIN = 8;   // CSS px the overlay canvases reach beyond their canvas (widget.css: left/top -8px)
const ZOOM_MS = 60;  // while playing, the numbers panel is rebuilt at most this often (about 16 per second)

// ------------------------------------------------------------------ style and arithmetic

// The colours and sizes to draw with, as Python sends them in `meta.style` (colours as [r, g, b]).
export const STYLE_KEYS = ["pending_rgb", "negative_rgb", "positive_rgb", "white_rgb", "pad_rgb", "gap_rgb",
  "label_rgb", "window_rgb", "panel_px", "max_speed", "max_listed", "max_terms"];

export function style(meta) {
  const st = meta && meta.style;
  const missing = STYLE_KEYS.filter((key) => !st || !(key in st));
  if (missing.length) throw new Error(`cnnlab: meta.style lacks ${missing.join(", ")}`);
  return st;
}

const cssColor = (rgb, alpha) => (alpha === undefined ? `rgb(${rgb.join(", ")})` : `rgba(${rgb.join(", ")}, ${alpha})`);

// The colour of one value; the same float64 arithmetic as cnnlab/widgets/_colors.py:to_rgb_array.
// Signed maps (vmin < 0): white to st.negative_rgb / st.positive_rgb; others: black (vmin) to white (vmax).
export function toRGB(value, vmin, vmax, st) {
  const white = st.white_rgb;
  const blend = (end, t) => end.map((e, i) => Math.floor(white[i] + t * (e - white[i]) + 0.5));
  if (vmin < 0) {
    if (value < 0) return blend(st.negative_rgb, Math.min(value / vmin, 1));
    if (value > 0) return blend(st.positive_rgb, vmax > 0 ? Math.min(value / vmax, 1) : 1);
    return white.slice();
  }
  const span = vmax - vmin;
  const t = span <= 0 ? 0 : Math.min(Math.max((value - vmin) / span, 0), 1);
  const g = Math.floor(255 * t + 0.5);
  return [g, g, g];
}

// {shape, dtype, buffer: DataView} (as ipywidgets delivers binary buffers) -> {shape, dtype, data}.
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

// A number as a person writes it (mirrors Python's fmt): 12, 0.111, −37.5
export function fmt(x) {
  let text;
  const ax = Math.abs(x);
  if (Number.isInteger(x) && ax < 1e7) text = String(x);
  else if (Number.isInteger(x) && ax >= 1e21) text = BigInt(x).toString();   // toFixed would write 1e+21
  else text = trimZeros(fixed(x, ax >= 1 ? 2 : 3));
  if (text === "-0" || text === "0" || text === "-0.") return "0";
  return text.replace("-", "\u2212");
}

// x.toFixed(digits), but an exact tie rounds to even as Python's format does (toFixed rounds it up):
// 0.0625 -> "0.062", 1.125 -> "1.12". A tie needs x * 2^(digits+1) to be whole, so it is checked only then.
function fixed(x, digits) {
  const text = x.toFixed(digits);
  if (!Number.isInteger(x * 2 ** (digits + 1))) return text;
  const longer = x.toFixed(digits + 1);   // exact for such an x
  if (!longer.endsWith("5")) return text;
  const down = longer.slice(0, -1);
  return Number(down[down.length - 1]) % 2 === 0 ? down : text;
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

const paren = (x) => (x < 0 ? `(${fmt(x)})` : fmt(x));
const parenText = (text) => (text.startsWith("\u2212") ? `(${text})` : text);
const num = (text) => Number(text.replace("\u2212", "-"));   // a printed number, read back

function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

// One kernel weight as the widget writes it (mirrors convolution.weight_text). `den` is
// meta.kernel_den from Python: 1 = short decimals, D > 1 = fractions over D, 0 = rounded.
export function weightText(w, den) {
  if (den > 1) {
    const n = Math.round(w * den);
    const g = gcd(Math.abs(n), den) || 1;
    const p = n / g;
    const q = den / g;
    return q === 1 ? fmt(p) : `${p < 0 ? "\u2212" : ""}${Math.abs(p)}/${q}`;
  }
  let text = den === 1 ? trimZeros(w.toFixed(3)) : trimZeros(String(Number(w.toPrecision(4))));
  if (/^-?0$/.test(text)) text = "0";
  return text.replace("-", "\u2212");
}

// A written-out dot product: {terms, tail, result}. `result` is the total (from ops, never recomputed
// here) and is never cut off; `terms` may be, with an ellipsis, past `maxTerms` products. The products
// are written so that they add up to the total as printed: fractions over a common denominator when
// the kernel has one (box blur: "(151 + 159 + … + 173) / 9 = 1533 / 9 = 170.33"), and "≈" instead
// of "=" when rounded numbers cannot add up exactly. A nonzero `bias` (a trained layer's) is added
// at the end of the tail, which always shows: "… + 0.25 = 12.3".
export function dotProduct(values, weights, den, total, maxTerms, bias = 0) {
  const n = values.length;
  const shown = n > maxTerms ? Math.floor(maxTerms / 2) : n;
  const cut = shown < n;
  const vText = values.map(fmt);
  const parts = [];
  let printed = 0;
  let terms;
  let tail;
  if (den > 1) {
    const nums = weights.map((w) => Math.round(w * den));
    const ones = nums.every((k) => k === 1);
    for (let i = 0; i < shown; i++) parts.push(ones ? parenText(vText[i]) : `${vText[i]}\u00d7${paren(nums[i])}`);
    let numer = 0;
    for (let i = 0; i < n; i++) numer += num(vText[i]) * nums[i];
    printed = numer / den;
    terms = `(${parts.join(" + ")}${cut ? ` + \u2026 ${n} ${ones ? "values" : "products"}` : ""}`;
    tail = `) / ${den}`;
    if (!cut && Number.isInteger(numer)) tail += ` = ${fmt(numer)} / ${den}`;
  } else {
    const wText = weights.map((w) => weightText(w, den));
    for (let i = 0; i < shown; i++) parts.push(`${vText[i]}\u00d7${parenText(wText[i])}`);
    for (let i = 0; i < n; i++) printed += num(vText[i]) * num(wText[i]);
    terms = parts.join(" + ") + (cut ? ` + \u2026 (${n} products)` : "");
    tail = "";
  }
  if (bias) {   // a trained filter's bias: "… + bias = value" (the bias as printed counts in the check)
    if (den > 1) tail = tail.replace(/ = .*$/, "");
    tail += ` + ${paren(bias)}`;
    printed += num(fmt(bias));
  }
  const approx = !cut && fmt(printed) !== fmt(total);
  tail = `${tail} ${approx ? "\u2248" : "="}`.trim();
  return { terms, tail, result: fmt(total) };
}

const pair = (v) => (Array.isArray(v) ? v : [v, v]);

// Which cells of the padded input output cell (row, col) reads: [top, left, height, width], the
// window being padded[top:top + height, left:left + width] (mirrors cnnlab.ops.window).
export function slidingWindow(row, col, size, stride) {
  const [kh, kw] = pair(size);
  const [sh, sw] = pair(stride);
  return [row * sh, col * sw, kh, kw];
}

// The output cell [row, col] of animation step `step` on a grid `cols` wide (Python: divmod(step, cols)).
export function stepCell(step, cols) {
  return [Math.floor(step / cols), step % cols];
}

// ------------------------------------------------------------------ drawing helpers

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

// A value in a box of its own colour, its text black or white, whichever reads better.
function resultBox(value, vmin, vmax, st) {
  const node = h("span", "cnnlab-result", fmt(value));
  const rgb = toRGB(value, vmin, vmax, st);
  node.style.background = cssColor(rgb);
  node.style.color = (rgb[0] * 0.299 + rgb[1] * 0.587 + rgb[2] * 0.114) < 128 ? "#fff" : "#000";
  return node;
}

// A rectangle's outline `offset` CSS px outside [x, y, w, hh] (inside when negative).
function outline(ctx, [x, y, w, hh], offset, lineWidth, color) {
  ctx.lineWidth = lineWidth;
  ctx.strokeStyle = color;
  ctx.strokeRect(x - offset, y - offset, Math.max(w + 2 * offset, 0), Math.max(hh + 2 * offset, 0));
}

// An image of rows x cols pixels, pixel(y, x) -> [r, g, b].
function panelImage(rows, cols, pixel) {
  const rgba = new Uint8ClampedArray(rows * cols * 4);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const o = (y * cols + x) * 4;
      const rgb = pixel(y, x);
      rgba[o] = rgb[0]; rgba[o + 1] = rgb[1]; rgba[o + 2] = rgb[2]; rgba[o + 3] = 255;
    }
  }
  return { rows, cols, rgba };
}

// The input with its padding as a checkerboard around it; inner(iy, ix) colours an input cell.
function paddedPanel(S, inner) {
  const [H, W] = S.meta.in_shape;
  const [t, b, l, r] = S.meta.pad;
  return panelImage(H + t + b, W + l + r, (y, x) => {
    const iy = y - t;
    const ix = x - l;
    return (iy < 0 || iy >= H || ix < 0 || ix >= W) ? S.st.pad_rgb[(y + x) % 2] : inner(iy, ix);
  });
}

// The colour key of a map canvas: "≤ −820 [blue→white] 0 [white→red] ≥ 820" (or black→white),
// from Python's limits; "≤"/"≥" when values beyond the limits exist (they are drawn at full colour),
// and then `note` (Python's words for why the scale is clipped) under it.
function fillLegend(legend, arrays, vmin, vmax, st, prefix = "", note = "") {
  const node = legend.bar;
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of arrays) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const bar = (a, b) => {
    const stops = [];
    for (let i = 0; i <= 8; i++) stops.push(cssColor(toRGB(a + ((b - a) * i) / 8, vmin, vmax, st)));
    const piece = h("span", "cnnlab-legend-bar");
    piece.style.background = `linear-gradient(to right, ${stops.join(", ")})`;
    return piece;
  };
  const end = (v, beyond, sign) => h("span", "", `${beyond ? `${sign} ` : ""}${fmt(v)}`);
  const parts = prefix ? [h("span", "", prefix)] : [];
  parts.push(end(vmin, lo < vmin, "\u2264"));
  if (vmin < 0) {
    parts.push(bar(vmin, 0), h("span", "", "0"), bar(0, vmax));
    node.title = "blue: negative, white: zero, red: positive";
  } else {
    parts.push(bar(vmin, vmax));
    node.title = "black: the smallest value, white: the largest";
  }
  parts.push(end(vmax, hi > vmax, "\u2265"));
  if (lo < vmin || hi > vmax) node.title += "; the few values beyond the ends are drawn at full colour";
  node.replaceChildren(...parts);
  node.hidden = false;
  legend.note.textContent = note || "";
  legend.note.hidden = !note;
}

function hideLegend(legend) {
  legend.bar.hidden = true;
  legend.note.hidden = true;
}

// The key of the output cells the animation has not reached yet: a swatch of their colour.
function fillPendingKey(node, st, words) {
  const swatch = h("span", "cnnlab-pending-swatch");
  swatch.style.background = cssColor(st.pending_rgb);
  node.replaceChildren(swatch, h("span", "", words || "not computed yet"));
  node.hidden = false;
}

// Size an overlay canvas to its base canvas's CSS box plus MARGIN on every side, at the device's
// pixel ratio; returns how to map base-canvas pixels to overlay CSS px (null while not laid out).
function fitOverlay(base, overlay) {
  const w = base.clientWidth;
  const hh = base.clientHeight;
  if (!w || !hh || !base.width || !base.height) return null;
  const dpr = window.devicePixelRatio || 1;
  const cssW = w + 2 * MARGIN;
  const cssH = hh + 2 * MARGIN;
  overlay.style.width = `${cssW}px`;
  overlay.style.height = `${cssH}px`;
  const bw = Math.round(cssW * dpr);
  const bh = Math.round(cssH * dpr);
  if (overlay.width !== bw) overlay.width = bw;
  if (overlay.height !== bh) overlay.height = bh;
  return { dpr, fx: w / base.width, fy: hh / base.height };
}

function beginOverlay(ctx, overlay, fit) {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  ctx.setTransform(fit.dpr, 0, 0, fit.dpr, MARGIN * fit.dpr, MARGIN * fit.dpr);
}

// ------------------------------------------------------------------ per kind

// Each kind gives: panel(S) -> {rows, cols, rgba} (the input picture at one pixel per cell),
// window(S, step) -> [top, left, height, width] in panel cells, zoom(S, step, ui) fills the numbers panel.

// The window of a sliding kind (convolution, pooling, activation), in padded-input cells.
function windowOfStep(S, step) {
  const [row, col] = stepCell(step, S.cols);
  return slidingWindow(row, col, S.meta.ksize, S.meta.stride);
}

function windowPosition(S, step, top, left) {
  const [r, c] = stepCell(step, S.cols);
  return `step ${step + 1} of ${S.steps}: window at row ${top}, column ${left} \u2192 output[${r}, ${c}]`;
}

// The names of the input's channels (Python's channel_names: [] for one, R G B, or "0" ... "C-1").
function channelNames(m) {
  const C = m.in_shape[2];
  if (Array.isArray(m.channel_names) && m.channel_names.length === C) return m.channel_names;
  return C === 1 ? [] : C === 3 ? ["R", "G", "B"] : Array.from({ length: C }, (_, k) => String(k));
}

// The index of the channel the panels show, or -1 for "all" (and for a single-channel input).
function channelIndex(m) {
  const chosen = m.params && m.params.channel;
  return chosen === undefined || chosen === "all" ? -1 : channelNames(m).indexOf(String(chosen));
}

// "R", or "channel 3" for a numbered channel
const channelWords = (name) => (/^\d+$/.test(name) ? `channel ${name}` : name);

// "filter 3 of 8 of layer 'conv1' (then relu)" for a trained layer's filter, else ""
export function layerWords(layer) {
  if (!layer) return "";
  const then = layer.activation && !["linear", "None"].includes(layer.activation) ? ` (then ${layer.activation})` : "";
  return `filter ${layer.filter} of ${layer.filters} of layer '${layer.name}'${then}`;
}

function convPanel(S) {
  const m = S.meta;
  const [, W, C] = m.in_shape;
  const img = S.input.data;
  const isByte = S.input.dtype === "uint8";
  const toByte = (v) => (isByte ? v : Math.floor(Math.min(Math.max((v - m.in_lo) / (m.in_hi - m.in_lo), 0), 1) * 255 + 0.5));
  const ch = channelIndex(m);
  // mirrors ConvolutionScene.panel(): one channel in gray; "all" is the colour photo for three
  // channels and the rounded mean of the channels' bytes, in gray, for any other number
  return paddedPanel(S, (iy, ix) => {
    const base = (iy * W + ix) * C;
    if (C === 3 && ch < 0) return [toByte(img[base]), toByte(img[base + 1]), toByte(img[base + 2])];
    if (C > 1 && ch < 0) {
      let sum = 0;
      for (let k = 0; k < C; k++) sum += toByte(img[base + k]);
      const g = Math.floor(sum / C + 0.5);
      return [g, g, g];
    }
    const g = toByte(img[base + (C === 1 ? 0 : ch)]);
    return [g, g, g];
  });
}

// pooling and activation: one channel of values, coloured, with padding around
function mapPanel(S) {
  const m = S.meta;
  const W = m.in_shape[1];
  return paddedPanel(S, (iy, ix) => toRGB(S.input.data[iy * W + ix], m.in_vmin, m.in_vmax, S.st));
}

// Top-left panel cell of channel k's tile, below its label band (mirrors the flatten widget's tile origin).
function tileOrigin(m, k) {
  const [H, W] = m.in_shape;
  const lab = m.label_rows || 0;
  const tileCols = m.tiles[1];
  return [Math.floor(k / tileCols) * (lab + H + 1) + lab, (k % tileCols) * (W + 1)];
}

// One tile per channel with a label band above it, gap colour between the tiles.
function flattenPanel(S) {
  const m = S.meta;
  const [H, W, C] = m.in_shape;
  const [tileRows, tileCols] = m.tiles;
  const lab = m.label_rows || 0;
  const vals = S.input.data;
  return panelImage(tileRows * (lab + H + 1) - 1, tileCols * (W + 1) - 1, (y, x) => {
    const r = (y % (lab + H + 1)) - lab;
    const c = x % (W + 1);
    const k = Math.floor(y / (lab + H + 1)) * tileCols + Math.floor(x / (W + 1));
    if (r < 0 || r >= H || c >= W || k >= C) return S.st.gap_rgb;
    return toRGB(vals[(r * W + c) * C + k], m.vmin, m.vmax, S.st);
  });
}

// [r, c, k] of the maps that vector entry `step` comes from.
function flattenSource(S, step) {
  const [, W, C] = S.meta.in_shape;
  const r = Math.floor(step / (W * C));
  const rest = step % (W * C);
  return [r, Math.floor(rest / C), rest % C];
}

function flattenWindow(S, step) {
  const [r, c, k] = flattenSource(S, step);
  const [top, left] = tileOrigin(S.meta, k);
  return [top + r, left + c, 1, 1];
}

// "channel k" in the band above each tile, drawn on the input overlay (CSS px, crisp at any scale);
// the tile being read has its label highlighted. `g` maps panel cells to overlay CSS px.
function flattenLabels(S, step, ctx, g) {
  const m = S.meta;
  const [, W, C] = m.in_shape;
  const lab = m.label_rows || 0;
  if (!lab) return;
  const band = lab * g.cy;
  const size = Math.min(15, Math.floor(band - 3));
  if (size < 8) return;
  const current = flattenSource(S, step)[2];
  ctx.textBaseline = "middle";
  for (let k = 0; k < C; k++) {
    const [top, left] = tileOrigin(m, k);
    const x = left * g.cx;
    const y = (top - lab) * g.cy;
    const bold = k === current;
    ctx.font = `${bold ? 700 : 500} ${size}px system-ui, -apple-system, "Segoe UI", sans-serif`;
    const text = [`channel ${k}`, `ch ${k}`, String(k)].find((t) => ctx.measureText(t).width <= W * g.cx - 2);
    if (text === undefined) continue;
    if (bold) {
      ctx.fillStyle = cssColor(S.st.window_rgb);
      ctx.fillRect(x, y + 1, ctx.measureText(text).width + 6, band - 2);
    }
    ctx.fillStyle = cssColor(S.st.label_rgb);
    ctx.fillText(text, x + 3, y + band / 2);
  }
}

// The flatten widget's trail: the two entries read just before, fading, to show the order.
function flattenTrail(S, step, ctx, g) {
  flattenLabels(S, step, ctx, g);
  for (let back = 2; back >= 1; back--) {
    if (step - back < 0) continue;
    const [t, l, hh, ww] = flattenWindow(S, step - back);
    outline(ctx, [l * g.cx, t * g.cy, ww * g.cx, hh * g.cy], 1, 2, cssColor(S.st.window_rgb, back === 1 ? 0.7 : 0.4));
  }
}

function convZoom(S, step, ui) {
  const m = S.meta;
  const st = S.st;
  const [H, W, C] = m.in_shape;
  const [t, , l] = m.pad;
  const [top, left, kh, kw] = windowOfStep(S, step);
  const img = S.input.data;
  const kern = S.kernel.data;
  const kC = m.kernel_ndim === 3 ? C : 1;
  const den = m.kernel_den === undefined ? 0 : m.kernel_den;
  const value = S.output.data[step];
  const win = (ch) => {
    const vals = [];
    const pad = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const y = top - t + i;
        const x = left - l + j;
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
  const names = C === 1 ? [""] : channelNames(m);
  const picked = channelIndex(m);
  const all = Array.from({ length: C }, (_, k) => k);
  const chans = C === 1 ? [0] : picked < 0 ? all : [picked];
  const bias = Number(m.bias) || 0;
  // a window and a kernel table per shown channel: for "all" of many channels, too many to read
  const listed = C <= 3 || chans.length === 1;
  ui.position.textContent = windowPosition(S, step, top, left);
  ui.zoom.replaceChildren();
  ui.sum.replaceChildren();
  const wins = chans.map(win);
  if (kh * kw <= st.max_listed && listed) {
    chans.forEach((ch, n) => {
      const { vals, pad } = wins[n];
      ui.zoom.appendChild(figure(C === 1 ? "window" : `window, ${names[ch]}`, gridTable(kh, kw, (i, j) => ({
        text: fmt(vals[i * kw + j]), cls: pad[i * kw + j] ? "cnnlab-padcell" : "" }))));
    });
    ui.zoom.appendChild(h("span", "cnnlab-op", "\u00d7"));
    (kC === 1 ? [0] : chans).forEach((ch) => {
      const w = weights(ch);
      const caption = kC === 1 ? (C > 1 ? `kernel (same on every channel)` : "kernel") : `kernel, ${names[ch]}`;
      ui.zoom.appendChild(figure(caption, gridTable(kh, kw, (i, j) => ({ text: weightText(w[i * kw + j], den) }))));
    });
    ui.zoom.appendChild(h("span", "cnnlab-op", "="));
  } else if (!listed) {
    ui.zoom.appendChild(h("span", "", `${C} channels: pick one in the channel menu to see its window and kernel`));
    ui.zoom.appendChild(h("span", "cnnlab-op", "\u2192"));
  } else {
    ui.zoom.appendChild(h("span", "", `window and kernel are ${kh}\u00d7${kw}: too many numbers to list`));
  }
  ui.zoom.appendChild(resultBox(value, m.vmin, m.vmax, st));
  if (C === 1) {
    // the dot product alone is the output less the bias (Python sends no parts for one channel)
    const dot = bias ? Math.fround(value - bias) : value;
    const line = dotProduct(wins[0].vals, weights(0), den, dot, st.max_terms, bias);
    ui.sum.appendChild(sumLine("", { ...line, result: fmt(value) }));
  } else {
    ui.sum.append(...channelSums(S, step, chans, wins, weights, den, value, bias));
  }
  ui.sum.classList.add("cnnlab-sum-lines");
  ui.sum.title = "click to show the sums in full (or to shorten them again)";
  ui.stats.textContent = layerWords(m.layer);
}

// The sum lines of a many-channel input: each shown channel's share of the output (its dot product),
// then the output as the sum of every channel's share plus the bias. parts_data is (H', W', C).
function channelSums(S, step, chans, wins, weights, den, value, bias) {
  const m = S.meta;
  const C = m.in_shape[2];
  const names = channelNames(m);
  const parts = [];
  for (let ch = 0; ch < C; ch++) parts.push(S.parts.data[step * C + ch]);
  const lines = chans.map((ch, n) => sumLine(
    chans.length === 1 ? `${channelWords(names[ch])}'s share of the output:` : `${names[ch]}:`,
    dotProduct(wins[n].vals, weights(ch), den, parts[ch], S.st.max_terms)));
  const added = parts.map(fmt).reduce((a, text) => a + num(text), 0) + (bias ? num(fmt(bias)) : 0);
  const rel = fmt(added) === fmt(value) ? "=" : "\u2248";
  const what = C <= 4 ? names.join(" + ") : `the sum over all ${C} channels`;
  const shares = parts.map((p, k) => (k ? paren(p) : fmt(p))).join(" + ");
  lines.push(sumLine("output =", {
    terms: `${what}${bias ? " + bias" : ""}`,
    tail: `= ${shares}${bias ? ` + ${paren(bias)}` : ""} ${rel}`, result: fmt(value) }));
  return lines;
}

// One line of the written-out sum: a label, the terms (shortened with … when the line is too long;
// the whole line is in the tooltip) and the tail with the result, which always shows.
function sumLine(label, { terms, tail, result }) {
  // the " " text nodes separate the parts when the line wraps; a flex line ignores them (it has a gap)
  const line = h("div", "cnnlab-sumline");
  if (label) line.append(h("span", "cnnlab-sumlabel", label), " ");
  const end = h("span", tail.trim().startsWith(")") ? "cnnlab-tail cnnlab-tail-close" : "cnnlab-tail", `${tail.trim()} `);
  end.appendChild(h("strong", "", result));
  line.append(h("span", "cnnlab-terms", terms), " ", end);
  line.title = `${label ? `${label} ` : ""}${terms} ${tail} ${result}`;
  return line;
}

function poolZoom(S, step, ui) {
  const m = S.meta;
  const st = S.st;
  const [H, W] = m.in_shape;
  const [t, , l] = m.pad;
  const [top, left, ph, pw] = windowOfStep(S, step);
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
  ui.position.textContent = windowPosition(S, step, top - t, left - l);
  ui.zoom.replaceChildren();
  if (ph * pw <= st.max_listed) {
    ui.zoom.appendChild(figure("window", gridTable(ph, pw, (i, j) => {
      const k = i * pw + j;
      if (cells[k] === null) return { text: "\u00b7", cls: "cnnlab-padcell" };
      return { text: fmt(cells[k]), cls: k === best ? "cnnlab-max" : "" };
    })));
    ui.zoom.appendChild(h("span", "cnnlab-op", "\u2192"));
  }
  ui.zoom.appendChild(resultBox(value, m.vmin, m.vmax, st));
  const cut = vals.length > st.max_terms;
  const listed = (cut ? vals.slice(0, Math.floor(st.max_terms / 2)) : vals).map(fmt);
  ui.sum.replaceChildren(h("div", "", m.mode === "max"
    ? `max(${listed.join(", ")}${cut ? ", \u2026" : ""}) = ${fmt(value)}`
    : `(${listed.join(" + ")}${cut ? " + \u2026" : ""}) / ${vals.length} = ${fmt(value)}`));
  ui.stats.textContent = m.mode === "max" ? "the largest value in the window wins (outlined)" : "";
}

function activationZoom(S, step, ui) {
  const m = S.meta;
  const [r, c] = stepCell(step, S.cols);
  const x = S.input.data[step];
  const y = S.output.data[step];
  ui.position.textContent = `step ${step + 1} of ${S.steps}: cell [${r}, ${c}]`;
  ui.zoom.replaceChildren(figure("before", resultBox(x, m.in_vmin, m.in_vmax, S.st)), h("span", "cnnlab-op", "\u2192"),
    figure(`after ${m.activation}`, resultBox(y, m.vmin, m.vmax, S.st)));
  let middle;
  if (m.activation === "relu") middle = `max(0, ${fmt(x)})`;
  else if (m.activation === "leaky_relu") middle = x > 0 ? fmt(x) : `${fmt(m.slope)} \u00d7 ${paren(x)}`;
  else if (m.activation === "sigmoid") middle = `1 / (1 + e^(${fmt(-x)}))`;
  else middle = `tanh(${fmt(x)})`;
  const lines = [];
  const compare = activationCompare(S, step);
  if (m.scale_text && compare) {
    // the map's own value, then what the activation gets: "x = 1194 × 1/255 = 4.68"
    lines.push(h("div", "cnnlab-scale-line", `x = ${fmt(compare.map)} \u00d7 ${m.scale_text} = ${fmt(x)}`));
  }
  lines.push(h("div", "", `${m.activation}(${fmt(x)}) = ${middle} = ${fmt(y)}`));
  ui.sum.replaceChildren(...lines);
  if (compare) ui.zoom.appendChild(compare.table);
  ui.stats.textContent = m.scale_words ? `${m.scale_words}. ${m.stats}` : m.stats;
}

// Every activation on the cell of `step`: a table with one column per activation, its input and its
// output (Python's numbers: parts_data holds the map, then each activation's input and output).
function activationCompare(S, step) {
  const names = S.meta.compare;
  if (!S.parts || !Array.isArray(names)) return null;
  const width = 1 + 2 * names.length;
  const at = (k) => S.parts.data[step * width + k];
  const table = h("table", "cnnlab-grid cnnlab-compare");
  const head = h("tr");
  head.appendChild(h("th", "", ""));
  const rows = [["input", 1], ["output", 2]].map(([label]) => {
    const tr = h("tr");
    tr.appendChild(h("th", "", label));
    return tr;
  });
  names.forEach((name, k) => {
    const cls = name === S.meta.activation ? "cnnlab-current" : "";
    head.appendChild(h("th", cls, name.replace("_", " ")));
    rows[0].appendChild(h("td", cls, fmt(at(1 + 2 * k))));
    rows[1].appendChild(h("td", cls, fmt(at(2 + 2 * k))));
  });
  table.append(head, ...rows);
  table.title = "what each activation makes of this cell (the current one outlined)";
  return { table, map: at(0) };
}

function flattenZoom(S, step, ui) {
  const m = S.meta;
  const [, W, C] = m.in_shape;
  const [r, c, k] = flattenSource(S, step);
  const value = S.output.data[step];
  ui.position.textContent = `step ${step + 1} of ${S.steps}: maps[${r}, ${c}, ${k}] \u2192 vector[${step}]`;
  const lo = Math.max(0, Math.min(step - 4, S.n - 9));
  const hi = Math.min(S.n, lo + 9);
  const strip = h("table", "cnnlab-grid cnnlab-strip");
  const rowsOf = [["index", "cnnlab-index"], ["value", ""], [C > 1 ? "from [r,c,k]" : "from [r,c]", "cnnlab-from"]];
  const trs = rowsOf.map(([name, cls]) => {
    const tr = h("tr", cls);
    tr.appendChild(h("th", "", name));
    return tr;
  });
  for (let i = lo; i < hi; i++) {
    const cls = i === step ? "cnnlab-current" : i > step ? "cnnlab-later" : "";
    const [ri, ci, ki] = flattenSource(S, i);
    trs[0].appendChild(h("td", cls, String(i)));
    trs[1].appendChild(h("td", cls, i > step ? "?" : fmt(S.output.data[i])));
    // shaded by map cell: each run of C entries comes from one cell (r, c), channel 0..C-1
    const group = (ri * W + ci) % 2 ? "cnnlab-odd" : "";
    trs[2].appendChild(h("td", `${cls} ${group}`.trim(), C > 1 ? `${ri},${ci},${ki}` : `${ri},${ci}`));
  }
  strip.append(...trs);
  const wrap = h("div", "cnnlab-strip-wrap");
  wrap.appendChild(strip);
  ui.zoom.replaceChildren(wrap);
  ui.sum.replaceChildren(
    h("div", "", `index = (r \u00d7 W + c) \u00d7 C + k = (${r} \u00d7 ${W} + ${c}) \u00d7 ${C} + ${k} = ${step}`),
    h("div", "", `vector[${step}] = maps[${r}, ${c}, ${k}] = ${fmt(value)}`));
  ui.stats.textContent = m.order || m.describe;
}

const KINDS = {
  convolution: { panel: convPanel, window: windowOfStep, zoom: convZoom },
  pooling: { panel: mapPanel, window: windowOfStep, zoom: poolZoom },
  activation: { panel: mapPanel, window: windowOfStep, zoom: activationZoom },
  flatten: { panel: flattenPanel, window: flattenWindow, zoom: flattenZoom, decorate: flattenTrail },
};

const LABELS = {
  kernel: "kernel", stride: "stride", padding: "padding", channel: "channel", size: "window",
  mode: "mode", activation: "activation", filter: "filter",
};

const PANEL_LABELS = {
  convolution: ["input image", "feature map (output)"],
  pooling: ["feature map", "pooled map (output)"],
  activation: ["before", "after (output)"],
  flatten: ["maps, one tile per channel", "flattened vector (wrapped)"],
};

// ------------------------------------------------------------------ the view

function canvasPanel(canvasClass, overlayClass, label) {
  const fig = h("figure", "cnnlab-panel");
  const caption = h("figcaption", "cnnlab-label");
  const captionText = h("span", "cnnlab-label-text", label);
  caption.appendChild(captionText);
  const stack = h("div", "cnnlab-stack");
  const canvas = h("canvas", canvasClass);
  const overlay = h("canvas", overlayClass);
  overlay.setAttribute("aria-hidden", "true");
  stack.append(canvas, overlay);
  // under the picture: the colour key, then the key of the cells not computed yet and the note on a
  // clipped scale, which wrap to the picture's width rather than widen it
  const keys = h("div", "cnnlab-keys");
  const legend = { bar: h("div", "cnnlab-legend"), note: h("div", "cnnlab-legend-note") };
  const pending = h("div", "cnnlab-pending-key");
  legend.bar.hidden = true;
  legend.note.hidden = true;
  pending.hidden = true;
  keys.append(pending, legend.note);
  fig.append(caption, stack, legend.bar, keys);
  return { fig, caption, captionText, stack, canvas, overlay, legend, pending };
}

function transportControls(st) {
  const back = h("button", "cnnlab-back", "\u25c0 Step");
  const play = h("button", "cnnlab-play", "\u25b6 Play");
  const forward = h("button", "cnnlab-forward", "Step \u25b6");
  for (const b of [back, play, forward]) b.type = "button";
  back.title = "one step back (\u2190 or PageUp)";
  forward.title = "one step forward (\u2192 or PageDown)";
  play.title = "play / pause (space)";
  play.setAttribute("aria-pressed", "false");
  const scrub = h("input", "cnnlab-scrub");
  Object.assign(scrub, { type: "range", min: "0", max: "0", step: "1", value: "0" });
  scrub.setAttribute("aria-label", "step");
  const readout = h("span", "cnnlab-readout");
  const speedInput = h("input", "cnnlab-speed");
  Object.assign(speedInput, { type: "range", min: "1", max: String(st.max_speed), step: "1" });
  speedInput.setAttribute("aria-label", "speed in steps per second");
  const speedText = h("span", "cnnlab-readout cnnlab-speed-text");
  const scrubLabel = h("label", "cnnlab-scrub-label", "step");
  scrubLabel.append(scrub, readout);
  const speedLabel = h("label", "", "speed");
  speedLabel.append(speedInput, speedText);
  const controls = h("div", "cnnlab-controls");
  controls.append(back, play, forward, scrubLabel, speedLabel);
  return { controls, back, play, forward, scrub, readout, speedInput, speedText };
}

// One dropdown per parameter Python offers (meta.options), and the kernel's text box.
function parameterControls(options, inCaption) {
  const params = h("div", "cnnlab-params");
  const selects = {};
  let kernelText = null;
  let apply = null;
  for (const name of Object.keys(options || {})) {
    const label = h("label", "", LABELS[name] || name);
    const select = h("select", `cnnlab-${name}`);
    label.append(select);
    // the channel choice is about what the input picture shows: it sits in that picture's caption
    if (name === "channel") inCaption.appendChild(label);
    else params.append(label);
    selects[name] = { label, select };
    if (name === "kernel") {
      kernelText = h("input", "cnnlab-kernel-text");
      kernelText.type = "text";
      kernelText.placeholder = "-1 0 1; -2 0 2; -1 0 1";
      kernelText.title = "type the kernel's rows separated by ; (fractions like 1/9 are fine), then Apply";
      kernelText.setAttribute("aria-label", "kernel values, rows separated by ;");
      apply = h("button", "cnnlab-apply", "Apply");
      apply.type = "button";
      params.append(kernelText, apply);
    }
  }
  return { params, selects, kernelText, apply };
}

// The DOM of one widget: title, then the controls (so Play is in view at the top), then the
// canvases and the numbers panel. Returns every node the other parts use.
function buildView(kind, meta, st) {
  const root = h("div", "cnnlab-widget");
  root.tabIndex = 0;
  Object.assign(root.dataset, { kind, step: "0", steps: "0", frames: "0", playing: "false", ready: "false" });
  const header = h("div", "cnnlab-header");
  const title = h("span", "cnnlab-title");
  const describe = h("span", "cnnlab-describe");
  const scaleNote = h("div", "cnnlab-scale-note");
  header.append(title, describe);
  const [inLabel, outLabel] = PANEL_LABELS[kind] || PANEL_LABELS.convolution;
  const inPanel = canvasPanel("cnnlab-input", "cnnlab-window", inLabel);
  const outPanel = canvasPanel("cnnlab-output", "cnnlab-marker", outLabel);
  // the scale note sits under the picture it is about: the input (the vector for flatten)
  (kind === "flatten" ? outPanel : inPanel).fig.appendChild(scaleNote);
  const ui = {
    position: h("div", "cnnlab-position"), zoom: h("div", "cnnlab-zoom"),
    sum: h("div", "cnnlab-sum"), stats: h("div", "cnnlab-stats"),
  };
  const zoomPanel = h("div", "cnnlab-zoom-panel");
  zoomPanel.append(ui.position, ui.zoom, ui.sum, ui.stats);
  const main = h("div", "cnnlab-main");
  main.append(inPanel.fig, outPanel.fig, zoomPanel);
  const transport = transportControls(st);
  // a convolution widget always has the filter menu: it shows once a trained layer offers filters
  const options = kind === "convolution" ? { ...meta.options, filter: (meta.options || {}).filter || [] } : meta.options;
  const parameters = parameterControls(options, inPanel.caption);
  const toolbar = h("div", "cnnlab-toolbar");
  toolbar.append(transport.controls, parameters.params);
  const error = h("div", "cnnlab-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  root.append(header, toolbar, error, main);
  // the button sits in the feature map's caption: on a projector the toolbar has no room for one more row
  const full = kind === "convolution" ? fullResolutionView(outPanel.caption, st) : null;
  if (full) root.append(full.fig);
  return { kind, root, title, describe, scaleNote, inLabel, inPanel, outPanel, ui, error, full,
    ...transport, ...parameters };
}

// The "Full resolution" button (in `place`) and the figure under the animation where Python's map of
// the whole photo appears: a PNG in the widget's colours, its size stated, its colour key.
function fullResolutionView(place, st) {
  const button = h("button", "cnnlab-full-button", "Full resolution");
  button.type = "button";
  button.title = "the same kernel on the whole photo at its full size (Python computes it)";
  place.append(button);
  const fig = h("figure", "cnnlab-panel cnnlab-full");
  const caption = h("figcaption", "cnnlab-label", "");
  const img = h("img", "cnnlab-full-map");
  img.alt = "the feature map of the whole photo at full resolution";
  const legend = { bar: h("div", "cnnlab-legend"), note: h("div", "cnnlab-legend-note") };
  legend.bar.hidden = true;
  legend.note.hidden = true;
  const notes = h("div", "cnnlab-keys");
  notes.append(legend.note);
  fig.append(caption, img, legend.bar, notes);
  fig.hidden = true;
  return { button, fig, caption, img, legend, st, url: "" };
}

// Python's full-resolution picture (full_png, full_info) into the figure; hidden while there is none.
function showFullResolution(full, model) {
  const wire = model.get("full_png");
  const info = model.get("full_info") || {};
  const bytes = wire && (wire.byteLength !== undefined ? wire : wire.buffer);
  if (full.url) URL.revokeObjectURL(full.url);
  full.url = "";
  if (!bytes || !bytes.byteLength || !info.shape) {
    full.fig.hidden = true;
    full.img.removeAttribute("src");
    return;
  }
  full.url = URL.createObjectURL(new Blob([bytes], { type: "image/png" }));
  full.img.src = full.url;
  const [sh, sw] = info.shown_shape || info.shape;
  full.img.width = sw;
  full.img.height = sh;
  full.caption.textContent = `full resolution: ${info.words}`;
  fillLegend(full.legend, [[info.lo, info.hi]], info.vmin, info.vmax, full.st, "", info.clip_note || "");
  full.fig.hidden = false;
}

// ------------------------------------------------------------------ the painter

// The arrays of the model's current state, decoded, with what drawing them needs; null while incomplete.
function loadScene(model) {
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

// texts and colour keys: under the output; under the input too when its colours differ (sigmoid,
// tanh); the flatten widget's maps and vector share theirs, shown under the maps
function describeScene(view, S) {
  const { meta, st, input, output } = S;
  const { inPanel, outPanel } = view;
  const padded = (meta.pad || []).some((p) => p > 0);
  const scaled = meta.scale_text ? ` (map \u00d7 ${meta.scale_text})` : "";   // the activation's input, scaled
  inPanel.captionText.textContent = view.inLabel + scaled + (padded ? " + padding (checkered)" : "");
  view.title.textContent = meta.title || "";
  view.describe.textContent = meta.describe || "";
  view.scaleNote.textContent = meta.scale_note || "";
  hideLegend(outPanel.legend);
  hideLegend(inPanel.legend);
  const shared = meta.in_vmin === undefined || (meta.in_vmin === meta.vmin && meta.in_vmax === meta.vmax);
  const kind = view.kind;
  const note = meta.clip_note || "";
  if (kind === "flatten") fillLegend(inPanel.legend, [input.data], meta.vmin, meta.vmax, st, "", note);
  else if (kind === "convolution" || !shared) fillLegend(outPanel.legend, [output.data], meta.vmin, meta.vmax, st, "", note);
  else fillLegend(outPanel.legend, [input.data, output.data], meta.vmin, meta.vmax, st, "both maps:", note);
  if (kind !== "convolution" && kind !== "flatten" && !shared) {
    fillLegend(inPanel.legend, [input.data], meta.in_vmin, meta.in_vmax, st, "", meta.in_clip_note || "");
  }
  fillPendingKey(outPanel.pending, st, meta.pending_note);
  view.root.dataset.steps = String(S.steps);
  view.scrub.max = String(S.steps - 1);
}

// Draws one scene into the view: the input picture once, then any step (output cells up to it,
// the window on the input, the ring on the output cell, the numbers panel).
function createPainter(view, impl) {
  const { inPanel, outPanel, ui } = view;
  const inCanvas = inPanel.canvas;
  const outCanvas = outPanel.canvas;
  const inCtx = inCanvas.getContext("2d");
  const outCtx = outCanvas.getContext("2d");
  const windowCtx = inPanel.overlay.getContext("2d");
  const markCtx = outPanel.overlay.getContext("2d");
  let S = null;
  let colors = null;       // RGB of each output cell
  let outImage = null;
  let drawnUpTo = -1;
  let stale = true;        // the output canvas was resized (cleared): copy all of it
  let zoomStep = -1;
  let zoomTime = -Infinity;
  let inFit = null;        // overlay geometry (null until the canvases are laid out)
  let outFit = null;
  let shown = 0;

  function setScene(scene) {
    S = scene;
    const { meta, st } = S;
    S.sOut = Math.max(1, Math.floor(st.panel_px / Math.max(S.rows, S.cols)));
    outCanvas.width = S.cols * S.sOut;
    outCanvas.height = S.rows * S.sOut;
    Object.assign(outCanvas.dataset, { scale: String(S.sOut), vmin: String(meta.vmin), vmax: String(meta.vmax) });
    colors = new Uint8ClampedArray(S.n * 3);
    for (let i = 0; i < S.n; i++) colors.set(toRGB(S.output.data[i], meta.vmin, meta.vmax, st), i * 3);
    outImage = outCtx.createImageData(outCanvas.width, outCanvas.height);
    for (let i = 0; i < S.n; i++) paintCell(i, st.pending_rgb);
    drawnUpTo = -1;
    stale = true;
    drawInput();
    describeScene(view, S);
    zoomStep = -1;
    refit();
  }

  // the panel at one pixel per cell, drawn scaled up once (the window is on its overlay)
  function drawInput() {
    const panel = impl.panel(S);
    S.sIn = Math.max(1, Math.floor(S.st.panel_px / Math.max(panel.rows, panel.cols)));
    const source = document.createElement("canvas");
    source.width = panel.cols;
    source.height = panel.rows;
    source.getContext("2d").putImageData(new ImageData(panel.rgba, panel.cols, panel.rows), 0, 0);
    inCanvas.width = panel.cols * S.sIn;
    inCanvas.height = panel.rows * S.sIn;
    inCanvas.dataset.scale = String(S.sIn);
    inCtx.imageSmoothingEnabled = false;
    inCtx.drawImage(source, 0, 0, inCanvas.width, inCanvas.height);
  }

  function paintCell(i, rgb) {
    const s = S.sOut;
    const [row, col] = stepCell(i, S.cols);
    const width = outImage.width;
    const data = outImage.data;
    for (let y = row * s; y < (row + 1) * s; y++) {
      let o = (y * width + col * s) * 4;
      for (let x = 0; x < s; x++, o += 4) {
        data[o] = rgb[0]; data[o + 1] = rgb[1]; data[o + 2] = rgb[2]; data[o + 3] = 255;
      }
    }
  }

  // output cells up to `upTo` in their colours, later ones pending; only the rows that change are
  // copied to the canvas (all of them after a new scene)
  function drawOutput(upTo) {
    const [from, to] = upTo > drawnUpTo ? [drawnUpTo + 1, upTo] : [upTo + 1, drawnUpTo];
    for (let i = from; i <= to; i++) paintCell(i, i <= upTo ? colors.subarray(i * 3, i * 3 + 3) : S.st.pending_rgb);
    drawnUpTo = upTo;
    if (stale) {
      stale = false;
      outCtx.putImageData(outImage, 0, 0);
    } else if (from <= to) {
      const top = stepCell(from, S.cols)[0] * S.sOut;
      const bottom = (stepCell(to, S.cols)[0] + 1) * S.sOut;
      outCtx.putImageData(outImage, 0, 0, 0, top, outImage.width, bottom - top);
    }
  }

  // The window on the input: a tinted fill, a dark line just inside and a ring outside its border,
  // on the overlay canvas (which reaches MARGIN px beyond the input, so nothing is clipped).
  function drawWindow(s) {
    if (!inFit) return;
    beginOverlay(windowCtx, inPanel.overlay, inFit);
    const g = { cx: S.sIn * inFit.fx, cy: S.sIn * inFit.fy };
    if (impl.decorate) impl.decorate(S, s, windowCtx, g);
    const [top, left, hh, ww] = impl.window(S, s);
    const rect = [left * g.cx, top * g.cy, ww * g.cx, hh * g.cy];
    windowCtx.fillStyle = cssColor(S.st.window_rgb, 0.18);
    windowCtx.fillRect(...rect);
    outline(windowCtx, rect, -0.75, 1.5, "rgba(0, 0, 0, 0.8)");
    outline(windowCtx, rect, 1.5, 3, cssColor(S.st.window_rgb));
  }

  // The cell being computed: a dark ring and a bright ring around it, fully visible at the edges.
  function drawMarker(s) {
    if (!outFit) return;
    beginOverlay(markCtx, outPanel.overlay, outFit);
    const cx = S.sOut * outFit.fx;
    const cy = S.sOut * outFit.fy;
    const [row, col] = stepCell(s, S.cols);
    const rect = [col * cx, row * cy, cx, cy];
    outline(markCtx, rect, 1, 2, "rgba(0, 0, 0, 0.85)");
    outline(markCtx, rect, 3.5, 3, cssColor(S.st.window_rgb));
  }

  // Step `s`: the canvases always; the numbers panel at most every ZOOM_MS while `live` (playing),
  // since rebuilding it is most of a frame's work and nobody reads 100 sums a second.
  function show(s, live = false) {
    if (!S) return;
    shown = s;
    drawOutput(s);
    drawWindow(s);
    drawMarker(s);
    if (zoomStep === s) return;
    view.readout.textContent = `${s + 1} / ${S.steps}`;
    view.scrub.value = String(s);
    view.root.dataset.step = String(s);
    const now = performance.now();
    if (live && now - zoomTime < ZOOM_MS) return;
    zoomStep = s;
    zoomTime = now;
    impl.zoom(S, s, ui);
  }

  function refit() {
    inFit = fitOverlay(inCanvas, inPanel.overlay);
    outFit = fitOverlay(outCanvas, outPanel.overlay);
  }

  // The step of the output cell under a click, or -1.
  function stepAt(event) {
    if (!S) return -1;
    const rect = outCanvas.getBoundingClientRect();   // the canvas may be drawn smaller than its pixels
    const c = Math.floor(((event.clientX - rect.left) / rect.width) * S.cols);
    const r = Math.floor(((event.clientY - rect.top) / rect.height) * S.rows);
    const s = r * S.cols + c;
    return r >= 0 && c >= 0 && c < S.cols && r < S.rows && s < S.n ? s : -1;
  }

  const resized = new ResizeObserver(() => {
    if (!S) return;
    refit();
    drawWindow(shown);
    drawMarker(shown);
  });
  resized.observe(inCanvas);
  resized.observe(outCanvas);

  return {
    setScene, show, stepAt,
    steps: () => (S ? S.steps : 0),
    dispose: () => { resized.disconnect(); S = null; },
  };
}

// ------------------------------------------------------------------ the player

// Play / pause / step / scrub / speed. The animation runs on requestAnimationFrame at `speed` steps
// per second of wall time; `commit(fields)` is called when the user settles on a state (never per frame).
function createPlayer(view, painter, commit) {
  const { root } = view;
  let step = 0;
  let pos = 0;             // fractional step while playing
  let playing = false;
  let speed = 10;
  let lastT = null;
  let raf = 0;
  let frames = 0;

  const last = () => painter.steps() - 1;
  const clamp = (s) => Math.min(Math.max(s, 0), last());

  function display(s) {
    step = s;
    pos = s;
    painter.show(s);
  }

  function setPlaying(on, sync = true) {
    if (!painter.steps() || on === playing) return;
    playing = on;
    root.dataset.playing = String(on);
    view.play.textContent = on ? "\u275a\u275a Pause" : "\u25b6 Play";
    view.play.setAttribute("aria-pressed", String(on));
    if (on) {
      if (step >= last()) display(0);
      pos = step;
      lastT = null;
      raf = requestAnimationFrame(tick);
    } else {
      if (raf) cancelAnimationFrame(raf);
      raf = 0;
      painter.show(step);   // the numbers panel may lag while playing: catch up
    }
    if (sync) commit({ playing: on, step });
  }

  function tick(t) {
    raf = 0;
    if (!playing || !painter.steps()) return;
    if (lastT === null) lastT = t;
    const dt = Math.min(Math.max(t - lastT, 0), 250);
    lastT = t;
    const next = pos + (dt * speed) / 1000;
    const s = Math.min(Math.floor(next), last());
    painter.show(s, true);
    step = s;
    pos = next;
    frames += 1;
    root.dataset.frames = String(frames);
    if (s >= last()) setPlaying(false);
    else raf = requestAnimationFrame(tick);
  }

  // a step the user chose: stop playing, show it, tell the model
  function goTo(s) {
    if (!painter.steps()) return;
    if (playing) setPlaying(false);
    display(clamp(s));
    commit({ step });
  }

  // while the scrub slider is dragged: the model hears of it on release (`goTo` then)
  function scrubTo(s) {
    if (!painter.steps()) return;
    if (playing) setPlaying(false);
    display(clamp(s));
  }

  // a step set from Python; out-of-range values are ignored
  function jump(s) {
    if (painter.steps() && Number.isInteger(s) && s !== step && s >= 0 && s <= last()) display(s);
  }

  // after a new scene: keep the place while playing, else take the model's step
  function restart(modelStep) {
    display(clamp(playing ? step : modelStep));
  }

  function setSpeed(value, shownExactly = false) {
    speed = value;
    view.speedInput.value = String(Math.round(value));
    view.speedText.textContent = `${shownExactly ? value : Math.round(value)} steps/s`;
  }

  function dispose() {
    playing = false;
    if (raf) cancelAnimationFrame(raf);
    raf = 0;
  }

  return {
    setPlaying, goTo, scrubTo, jump, restart, setSpeed, dispose,
    toggle: () => setPlaying(!playing),
    get step() { return step; },
    get speed() { return speed; },
    get playing() { return playing; },
  };
}

// The transport controls and keys, to the player.
function bindControls(view, painter, player, listen) {
  bindTransport(view, painter, player, listen);
  listen(view.outPanel.stack, "click", (event) => {
    const s = painter.stepAt(event);
    if (s >= 0) player.goTo(s);
  });
  listen(view.ui.sum, "click", () => {
    if (view.ui.sum.classList.contains("cnnlab-sum-lines")) view.ui.sum.classList.toggle("cnnlab-expanded");
  });
}

// Play, step, scrub, speed and the keys (every animated kind, the NMS widget included).
function bindTransport(view, painter, player, listen) {
  listen(view.play, "click", () => player.toggle());
  listen(view.back, "click", () => player.goTo(player.step - 1));
  listen(view.forward, "click", () => player.goTo(player.step + 1));
  listen(view.scrub, "input", () => player.scrubTo(Number(view.scrub.value)));
  listen(view.scrub, "change", () => player.goTo(Number(view.scrub.value)));
  listen(view.speedInput, "input", () => player.setSpeed(Number(view.speedInput.value), true));
  const actions = {
    toggle: () => player.toggle(),
    back: () => player.goTo(player.step - 1),
    forward: () => player.goTo(player.step + 1),
    first: () => player.goTo(0),
    last: () => player.goTo(painter.steps() - 1),
  };
  const act = (name) => actions[name]();
  listen(view.root, "keydown", (event) => {
    const action = keyAction(event);
    if (!action || typingIn(event.target)) return;
    act(action);
    event.preventDefault();
  });
  registerPresenterKeys(view.root, act, listen.signal);
}

// ------------------------------------------------------------------ keys for a presenter's clicker

// What each key does: space (or k) plays and pauses; the arrows and PageUp / PageDown (what a
// presenter's clicker sends) step; Home and End go to the first and the last step.
export const PRESENTER_KEYS = {
  " ": "toggle", k: "toggle", ArrowLeft: "back", PageUp: "back", ArrowRight: "forward", PageDown: "forward",
  Home: "first", End: "last",
};

// The action of a key press, or "" (keys held with Ctrl, Alt or Meta belong to the browser).
function keyAction(event) {
  if (event.ctrlKey || event.altKey || event.metaKey) return "";
  return Object.hasOwn(PRESENTER_KEYS, event.key) ? PRESENTER_KEYS[event.key] : "";
}

// Keys typed into a text box, a slider or a menu are theirs.
function typingIn(node) {
  const tag = node && node.tagName;
  return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || Boolean(node && node.isContentEditable);
}

// How many CSS px of a [left, top, right, bottom] rectangle a width x height viewport shows.
export function visibleArea([left, top, right, bottom], width, height) {
  const w = Math.min(right, width) - Math.max(left, 0);
  const hh = Math.min(bottom, height) - Math.max(top, 0);
  return w > 0 && hh > 0 ? w * hh : 0;
}

// The index of the rectangle a width x height viewport shows most of (the first of equals); -1 if none shows.
export function mostInView(rects, width, height) {
  let best = -1;
  let bestArea = 0;
  rects.forEach((rect, i) => {
    const area = visibleArea(rect, width, height);
    if (area > bestArea) [best, bestArea] = [i, area];
  });
  return best;
}

// When nothing on the page has focus (the body has it: Voila, or after a click on the page's
// background), a key goes to the animated widget most in view. One keydown listener on the document
// serves every widget of the page; it and the widgets it serves live on `document` under a global
// symbol, so that copies of this module (one per widget class) share them. A widget leaves the set
// when it is disposed (its `signal` aborts); the listener goes when the set is empty.
const PRESENTER_SLOT = Symbol.for("cnnlab.presenter-keys");

function presenterRegistry() {
  if (!document[PRESENTER_SLOT]) {
    const registry = { widgets: new Set(), onKey: null };
    registry.onKey = (event) => {
      const target = event.target;
      const onPage = target === document.body || target === document.documentElement || target === document;
      const action = keyAction(event);
      if (!action || !onPage || event.defaultPrevented) return;
      const shown = [...registry.widgets].filter((entry) => entry.root.isConnected);
      const rects = shown.map((entry) => {
        const r = entry.root.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom];
      });
      const best = mostInView(rects, window.innerWidth, window.innerHeight);
      if (best < 0) return;
      shown[best].act(action);
      event.preventDefault();   // a space or PageDown would also scroll the page away from the widget
    };
    document[PRESENTER_SLOT] = registry;
  }
  return document[PRESENTER_SLOT];
}

function registerPresenterKeys(root, act, signal) {
  const registry = presenterRegistry();
  const entry = { root, act };
  registry.widgets.add(entry);
  document.addEventListener("keydown", registry.onKey);   // the same function: added once per page
  const leave = () => {
    registry.widgets.delete(entry);
    if (!registry.widgets.size) document.removeEventListener("keydown", registry.onKey);
  };
  if (!signal) return leave;
  if (signal.aborted) leave();
  else signal.addEventListener("abort", leave, { once: true });
  return leave;
}

// How many widgets the page-wide keys serve now (for the tests).
export function presenterWidgetCount() {
  const registry = document[PRESENTER_SLOT];
  return registry ? registry.widgets.size : 0;
}

// ------------------------------------------------------------------ binding to the model

// A dropdown's text as the value Python expects: "auto" -> null, "2" -> 2, "2,3" -> [2, 3].
function optionValue(text) {
  if (text === "auto") return null;
  if (/^\d+$/.test(text)) return Number(text);
  if (/^\d+,\d+$/.test(text)) return text.split(",").map(Number);
  return text;
}

// Traits -> scene, player and error line; parameter controls -> {type: "set"} messages; the
// speed slider -> the `speed` trait. Returns `commit`, which writes the player's settled state.
function bindModel(model, view, painter, player, listen, onModel, isDisposed) {
  let pending = false;

  function rebuild() {
    pending = false;
    if (isDisposed()) return;
    const scene = loadScene(model);
    if (!scene) return;
    painter.setScene(scene);
    syncControls(true);
    player.restart(Number(model.get("step")) || 0);
    view.root.dataset.ready = "true";
  }

  function schedule() {   // several traits change together: one rebuild after all of them
    if (!pending) {
      pending = true;
      queueMicrotask(rebuild);
    }
  }

  function syncControls(withText) {
    const meta = model.get("meta") || {};
    for (const [name, { label, select }] of Object.entries(view.selects)) {
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
    if (view.kernelText && withText) view.kernelText.value = (meta.params || {}).kernel_text || "";
  }

  function showError() {
    const text = model.get("error") || "";
    view.error.textContent = text;
    view.error.hidden = !text;
  }

  const request = (name, value) => model.send({ type: "set", name, value });
  for (const [name, { select }] of Object.entries(view.selects)) {
    listen(select, "change", () => {
      if (name === "kernel" && select.value === "custom") view.kernelText.focus();
      else request(name, optionValue(select.value));
    });
  }
  if (view.kernelText) {
    listen(view.apply, "click", () => request("kernel", view.kernelText.value));
    listen(view.kernelText, "keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        request("kernel", view.kernelText.value);
      }
    });
  }
  listen(view.speedInput, "change", () => {
    model.set("speed", player.speed);
    model.save_changes();
  });
  if (view.full) {
    const full = view.full;
    const idle = () => {
      full.button.disabled = false;
      full.button.textContent = "Full resolution";
    };
    listen(full.button, "click", () => {
      full.button.disabled = true;
      full.button.textContent = "Computing\u2026";
      model.send({ type: "full_resolution" });
    });
    onModel("change:full_png", () => showFullResolution(full, model));
    onModel("change:full_info", () => showFullResolution(full, model));
    onModel("msg:custom", (msg) => { if (msg && msg.type === "ack" && msg.of === "full_resolution") idle(); });
    listen.signal.addEventListener("abort", () => { if (full.url) URL.revokeObjectURL(full.url); }, { once: true });
    showFullResolution(full, model);
  }

  for (const name of ["meta", "input_data", "output_data", "kernel_data", "parts_data"]) {
    onModel(`change:${name}`, schedule);
  }
  onModel("change:step", () => player.jump(Number(model.get("step"))));
  onModel("change:playing", () => player.setPlaying(Boolean(model.get("playing")), false));
  onModel("change:speed", () => player.setSpeed(Number(model.get("speed")) || player.speed));
  onModel("change:error", showError);
  onModel("msg:custom", (msg) => {
    if (msg && msg.type === "ack") {
      syncControls(Boolean(msg.ok));
      showError();
    }
  });

  player.setSpeed(Number(model.get("speed")) || 10);
  showError();
  rebuild();
  if (model.get("playing")) player.setPlaying(true, false);
}

// ------------------------------------------------------------------ the draw widget

// The learner draws on a DRAW_PX canvas (white round strokes on black); when a stroke ends the
// drawing goes to Python at half size (2x2 blocks averaged: SENT_PX x SENT_PX uint8, one binary
// buffer), which prepares it as MNIST was, runs the model once and answers with the 28x28 digit it
// read, the three best guesses and the first layer's maps (float32).
const DRAW_PX = 280;
const SENT_PX = 140;
const BRUSH_PX = 22;

// `gray` (size x size bytes) averaged over factor x factor blocks, rounded: ((size / factor)^2) bytes.
export function areaAverage(gray, size, factor) {
  const n = Math.floor(size / factor);
  const out = new Uint8Array(n * n);
  const area = factor * factor;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let sum = 0;
      for (let i = 0; i < factor; i++) {
        const row = (y * factor + i) * size + x * factor;
        for (let j = 0; j < factor; j++) sum += gray[row + j];
      }
      out[y * n + x] = Math.floor(sum / area + 0.5);
    }
  }
  return out;
}

function buildDrawView(meta) {
  const root = h("div", "cnnlab-widget cnnlab-draw");
  Object.assign(root.dataset, { kind: "draw", ready: "false", strokes: "0", readings: "0" });
  const header = h("div", "cnnlab-header");
  header.append(h("span", "cnnlab-title", meta.title || "Draw a digit"),
    h("span", "cnnlab-describe", `read by ${meta.model || "a digits model"}`));
  const pad = h("canvas", "cnnlab-pad");
  pad.width = DRAW_PX;
  pad.height = DRAW_PX;
  pad.setAttribute("aria-label", "drawing area: draw one digit with the mouse or a finger");
  const clear = h("button", "cnnlab-clear", "Clear");
  clear.type = "button";
  const padFig = h("figure", "cnnlab-panel");
  padFig.append(h("figcaption", "cnnlab-label", "draw one digit here"), pad, clear);
  const digit = h("canvas", "cnnlab-digit");
  digit.width = 28;
  digit.height = 28;
  const digitFig = h("figure", "cnnlab-panel");
  digitFig.append(h("figcaption", "cnnlab-label", "what the network reads (28\u00d728)"), digit);
  const bars = h("div", "cnnlab-bars");
  const barsFig = h("figure", "cnnlab-panel");
  barsFig.append(h("figcaption", "cnnlab-label", "its three best guesses"), bars);
  const maps = h("canvas", "cnnlab-maps");
  const mapsCaption = h("figcaption", "cnnlab-label", "");
  const mapsFig = h("figure", "cnnlab-panel");
  mapsFig.append(mapsCaption, maps);
  mapsFig.hidden = true;   // until a reading brings maps
  const side = h("div", "cnnlab-draw-side");
  side.append(digitFig, barsFig);
  const main = h("div", "cnnlab-main");
  main.append(padFig, side, mapsFig);
  const error = h("div", "cnnlab-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  const stats = h("div", "cnnlab-stats");
  root.append(header, error, main, stats);
  return { root, pad, clear, digit, bars, maps, mapsFig, mapsCaption, error, stats };
}

// Pointer strokes on the pad; `strokeEnded()` after each. Returns {clear, pixels}.
function createPad(pad, listen, strokeEnded) {
  const ctx = pad.getContext("2d", { willReadFrequently: true });
  let drawing = false;
  let last = null;

  function blank() {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, pad.width, pad.height);
  }

  function at(event) {
    const rect = pad.getBoundingClientRect();
    return [((event.clientX - rect.left) * pad.width) / rect.width, ((event.clientY - rect.top) * pad.height) / rect.height];
  }

  function line(from, to) {
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = BRUSH_PX;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
  }

  function end(event) {
    if (!drawing) return;
    drawing = false;
    if (pad.hasPointerCapture && pad.hasPointerCapture(event.pointerId)) pad.releasePointerCapture(event.pointerId);
    strokeEnded();
  }

  listen(pad, "pointerdown", (event) => {
    if (event.button !== undefined && event.button > 0) return;
    event.preventDefault();
    drawing = true;
    last = at(event);
    try {
      pad.setPointerCapture(event.pointerId);   // the stroke goes on outside the pad
    } catch {
      // a pointer already gone: the stroke still draws while it is over the pad
    }
    line(last, last);
  });
  listen(pad, "pointermove", (event) => {
    if (!drawing) return;
    const points = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const e of (points.length ? points : [event])) {
      const p = at(e);
      line(last, p);
      last = p;
    }
  });
  listen(pad, "pointerup", end);
  listen(pad, "pointercancel", end);
  blank();

  return {
    clear: blank,
    pixels() {   // the red channel (the drawing is gray), SENT_PX x SENT_PX after the block average
      const rgba = ctx.getImageData(0, 0, pad.width, pad.height).data;
      const gray = new Uint8Array(pad.width * pad.height);
      for (let i = 0; i < gray.length; i++) gray[i] = rgba[i * 4];
      return areaAverage(gray, DRAW_PX, DRAW_PX / SENT_PX);
    },
  };
}

// The first layer's maps, side by side in rows of four, one colour scale for all (Python's limits).
function drawMaps(view, meta, wire, st) {
  const maps = decodeArray(wire);
  view.mapsFig.hidden = !maps;
  if (!maps) return;
  const [H, W, F] = maps.shape;
  const cols = Math.min(4, F);
  const rows = Math.ceil(F / cols);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of maps.data) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const vmin = Math.min(lo, 0);
  const vmax = hi > vmin ? hi : vmin + 1;
  const panel = panelImage(rows * (H + 1) - 1, cols * (W + 1) - 1, (y, x) => {
    const r = y % (H + 1);
    const c = x % (W + 1);
    const f = Math.floor(y / (H + 1)) * cols + Math.floor(x / (W + 1));
    return r >= H || c >= W || f >= F ? st.gap_rgb : toRGB(maps.data[(r * W + c) * F + f], vmin, vmax, st);
  });
  view.maps.width = panel.cols;
  view.maps.height = panel.rows;
  view.maps.getContext("2d").putImageData(new ImageData(panel.rgba, panel.cols, panel.rows), 0, 0);
  view.mapsCaption.textContent = `the ${F} maps of layer '${meta.layer}' for this digit`;
}

function drawDigit(view, wire) {
  const digit = decodeArray(wire);
  const ctx = view.digit.getContext("2d");
  const rgba = new Uint8ClampedArray(28 * 28 * 4);
  for (let i = 0; i < 28 * 28; i++) {
    const g = digit ? digit.data[i] : 0;
    rgba[i * 4] = g; rgba[i * 4 + 1] = g; rgba[i * 4 + 2] = g; rgba[i * 4 + 3] = 255;
  }
  ctx.putImageData(new ImageData(rgba, 28, 28), 0, 0);
}

function drawBars(view, guesses) {
  view.bars.replaceChildren(...guesses.map(({ digit, p }, i) => {
    const row = h("div", i === 0 ? "cnnlab-bar cnnlab-best" : "cnnlab-bar");
    row.dataset.digit = String(digit);
    row.dataset.p = String(p);
    const fill = h("span", "cnnlab-bar-fill");
    fill.style.width = `${(100 * p).toFixed(1)}%`;
    const track = h("span", "cnnlab-bar-track");
    track.appendChild(fill);
    row.append(h("span", "cnnlab-bar-digit", String(digit)), track, h("span", "cnnlab-readout", `${(100 * p).toFixed(1)} %`));
    return row;
  }));
  if (!guesses.length) view.bars.appendChild(h("div", "cnnlab-readout", "draw a digit: the guesses appear here"));
}

function renderDraw({ model, el }, listen, onModel) {
  const meta = model.get("meta") || {};
  const st = style(meta);
  const view = buildDrawView(meta);
  el.appendChild(view.root);
  let strokeEnd = null;     // performance.now() of the last stroke's end, until its answer is shown
  let strokes = 0;
  let readings = 0;
  let pending = false;

  const pad = createPad(view.pad, listen, () => {
    strokeEnd = performance.now();
    strokes += 1;
    view.root.dataset.strokes = String(strokes);
    const bytes = pad.pixels();
    model.send({ type: "drawing", shape: [SENT_PX, SENT_PX] }, undefined, [bytes.buffer]);
    view.root.dataset.sendMs = (performance.now() - strokeEnd).toFixed(1);
  });

  // Python's meta as it is now: the layer's name and `loading` change when the model has loaded
  const currentMeta = () => model.get("meta") || meta;

  function update() {
    pending = false;
    drawDigit(view, model.get("digit_data"));
    drawBars(view, model.get("guesses") || []);
    drawMaps(view, currentMeta(), model.get("maps_data"), st);
    const text = model.get("error") || "";
    view.error.textContent = text;
    view.error.hidden = !text;
    if (strokeEnd !== null) {
      const ms = performance.now() - strokeEnd;
      strokeEnd = null;
      readings += 1;
      view.root.dataset.latencyMs = ms.toFixed(1);
      view.root.dataset.pythonMs = Number(model.get("python_ms")).toFixed(1);
      view.root.dataset.readings = String(readings);
      view.stats.textContent = `read ${ms.toFixed(0)} ms after the stroke ended (the model: ${Number(model.get("python_ms")).toFixed(0)} ms)`;
    }
  }
  const schedule = () => {
    if (!pending) {
      pending = true;
      queueMicrotask(update);
    }
  };
  for (const name of ["digit_data", "guesses", "maps_data", "error", "python_ms"]) onModel(`change:${name}`, schedule);
  // While the model loads (the first pad of a session), say so; strokes are read once it is ready.
  const LOADING = "loading the network (a few seconds): draw already, your digit is read when it is ready";
  function showLoading() {
    const loading = Boolean(currentMeta().loading);
    view.root.dataset.loading = String(loading);
    if (loading) view.stats.textContent = LOADING;
    else if (view.stats.textContent === LOADING) view.stats.textContent = "";
  }
  onModel("change:meta", showLoading);
  listen(view.clear, "click", () => {
    pad.clear();
    strokeEnd = null;
    model.send({ type: "clear" });
  });
  update();
  showLoading();
  view.root.dataset.ready = "true";
  return () => view.root.remove();
}

// ------------------------------------------------------------------ the box widgets (IoU, NMS)

// Boxes are [x_min, y_min, x_max, y_max] in pixels of the photo as given; the photo arrives
// downscaled (meta.shown_size) and is drawn on a canvas of that size, the boxes on an overlay.
const HANDLE_PX = 12;   // CSS px around a corner that grab it for resizing

// Intersection, union and IoU of two boxes: the float64 arithmetic of cnnlab.detection.iou.
export function boxIoU(a, b) {
  const ix = Math.max(Math.min(a[2], b[2]) - Math.max(a[0], b[0]), 0);
  const iy = Math.max(Math.min(a[3], b[3]) - Math.max(a[1], b[1]), 0);
  const intersection = ix * iy;
  const areaA = (a[2] - a[0]) * (a[3] - a[1]);
  const areaB = (b[2] - b[0]) * (b[3] - b[1]);
  const union = areaA + areaB - intersection;
  return { intersection, union, iou: union > 0 ? intersection / union : 0 };
}

// A box dragged by (dx, dy) image pixels: moved whole ("move") or by one corner ("x0y0", "x1y1"...),
// in whole pixels, inside the photo, at least one pixel wide and tall.
export function dragBox(box, how, dx, dy, width, height) {
  const [x0, y0, x1, y1] = box;
  const r = Math.round;
  if (how === "move") {
    const mx = Math.min(Math.max(r(dx), -x0), width - x1);
    const my = Math.min(Math.max(r(dy), -y0), height - y1);
    return [x0 + mx, y0 + my, x1 + mx, y1 + my];
  }
  const out = [x0, y0, x1, y1];
  if (how.includes("x0")) out[0] = Math.min(Math.max(r(x0 + dx), 0), x1 - 1);
  if (how.includes("x1")) out[2] = Math.max(Math.min(r(x1 + dx), width), x0 + 1);
  if (how.includes("y0")) out[1] = Math.min(Math.max(r(y0 + dy), 0), y1 - 1);
  if (how.includes("y1")) out[3] = Math.max(Math.min(r(y1 + dy), height), y0 + 1);
  return out;
}

// an area as Python's caption writes it: whole numbers with thousands separators (13,056), else fmt
const areaText = (x) => (Number.isInteger(x) ? x.toLocaleString("en-US") : fmt(x));
const boxText = (b) => `(${b.map((x) => fmt(x)).join(", ")})`;

// The photo (uint8, gray or RGB) on its canvas, at one canvas pixel per photo pixel.
function drawPhoto(canvas, wire) {
  const photo = decodeArray(wire);
  if (!photo) return false;
  const [H, W] = photo.shape;
  const C = photo.shape.length === 3 ? photo.shape[2] : 1;
  const rgba = new Uint8ClampedArray(H * W * 4);
  for (let i = 0; i < H * W; i++) {
    const o = i * 4;
    rgba[o] = photo.data[i * C];
    rgba[o + 1] = photo.data[i * C + (C > 1 ? 1 : 0)];
    rgba[o + 2] = photo.data[i * C + (C > 1 ? 2 : 0)];
    rgba[o + 3] = 255;
  }
  canvas.width = W;
  canvas.height = H;
  canvas.getContext("2d").putImageData(new ImageData(rgba, W, H), 0, 0);
  return true;
}

// The photo panel of a box widget: the canvas, its overlay, and the map from photo pixels to CSS px.
function photoPanel(label) {
  const panel = canvasPanel("cnnlab-photo", "cnnlab-boxes", label);
  const scaleNote = h("div", "cnnlab-scale-note");
  panel.fig.appendChild(scaleNote);
  let fit = null;
  let meta = null;
  const ctx = panel.overlay.getContext("2d");
  return {
    ...panel,
    ctx,
    // Python's meta: the photo's size for the overlay, and the line saying at what scale it is shown
    setMeta(m) { meta = m; scaleNote.textContent = m.scale_note || ""; },
    refit() { fit = fitOverlay(panel.canvas, panel.overlay); return fit; },
    // [x, y, w, h] in overlay CSS px of a box; null while not laid out
    rect(box) {
      if (!fit || !meta) return null;
      const sx = (meta.shown_size[0] / meta.image_size[0]) * fit.fx;
      const sy = (meta.shown_size[1] / meta.image_size[1]) * fit.fy;
      return [box[0] * sx, box[1] * sy, (box[2] - box[0]) * sx, (box[3] - box[1]) * sy];
    },
    begin() {
      if (!fit) return false;
      beginOverlay(ctx, panel.overlay, fit);
      return true;
    },
    // a pointer event as [x, y] in photo pixels (may lie outside the photo)
    at(event) {
      const r = panel.canvas.getBoundingClientRect();
      return [((event.clientX - r.left) / r.width) * meta.image_size[0], ((event.clientY - r.top) / r.height) * meta.image_size[1]];
    },
    // photo pixels per CSS px, along x and y
    perCss() {
      const r = panel.canvas.getBoundingClientRect();
      return [meta.image_size[0] / r.width, meta.image_size[1] / r.height];
    },
  };
}

function boxLabel(ctx, text, x, y, rgb, px = 14) {
  ctx.font = `bold ${px}px system-ui, sans-serif`;
  const w = ctx.measureText(text).width + 6;
  ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
  ctx.fillRect(x, y, w, px + 4);
  ctx.fillStyle = cssColor(rgb);
  ctx.fillText(text, x + 3, y + px);
}

function errorLine() {
  const error = h("div", "cnnlab-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  return error;
}

function showModelError(model, error) {
  const text = model.get("error") || "";
  error.textContent = text;
  error.hidden = !text;
}

// ---- IoU: drag two boxes, read intersection / union = IoU

function buildIoUView() {
  const root = h("div", "cnnlab-widget cnnlab-iou");
  root.tabIndex = 0;
  Object.assign(root.dataset, { kind: "iou", ready: "false", drags: "0", sent: "0", source: "python" });
  const header = h("div", "cnnlab-header");
  const title = h("span", "cnnlab-title");
  header.append(title, h("span", "cnnlab-describe", "drag a box to move it, drag a corner to resize it"));
  const photo = photoPanel("photo");
  const side = h("div", "cnnlab-zoom-panel cnnlab-iou-panel");
  const boxA = h("div", "cnnlab-iou-box cnnlab-iou-a");
  const boxB = h("div", "cnnlab-iou-box cnnlab-iou-b");
  const formula = h("div", "cnnlab-iou-formula");
  const inter = h("span", "cnnlab-iou-inter");
  const union = h("span", "cnnlab-iou-union");
  const value = h("span", "cnnlab-result cnnlab-iou-value");
  const frac = h("span", "cnnlab-iou-frac");
  frac.append(inter, h("span", "cnnlab-iou-bar"), union);
  formula.append(h("span", "cnnlab-iou-word", "IoU ="), frac, h("span", "cnnlab-op", "="), value);
  const note = h("div", "cnnlab-stats");
  side.append(boxA, boxB, formula, note);
  const main = h("div", "cnnlab-main");
  main.append(photo.fig, side);
  const error = errorLine();
  root.append(header, error, main);
  return { root, title, photo, boxA, boxB, inter, union, value, note, error };
}

function renderIoU({ model, el }, listen, onModel) {
  const view = buildIoUView();
  el.appendChild(view.root);
  const { photo } = view;
  let meta = null;
  let boxes = null;         // {a, b}: what is drawn (the page's while dragging)
  let drag = null;          // {name, how, start, from}
  let drags = 0;

  function draw() {
    if (!meta || !boxes || !photo.begin()) return;
    const { ctx } = photo;
    const colors = meta.colors;
    const ra = photo.rect(boxes.a);
    const rb = photo.rect(boxes.b);
    const x0 = Math.max(ra[0], rb[0]);
    const y0 = Math.max(ra[1], rb[1]);
    const x1 = Math.min(ra[0] + ra[2], rb[0] + rb[2]);
    const y1 = Math.min(ra[1] + ra[3], rb[1] + rb[3]);
    if (x1 > x0 && y1 > y0) {
      ctx.fillStyle = cssColor(colors.overlap, 0.45);
      ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
    }
    for (const [name, r] of [["a", ra], ["b", rb]]) {
      const rgb = colors[`box_${name}`];
      outline(ctx, r, 0, 3, cssColor(rgb));
      ctx.fillStyle = cssColor(rgb);
      for (const [cx, cy] of [[r[0], r[1]], [r[0] + r[2], r[1]], [r[0], r[1] + r[3]], [r[0] + r[2], r[1] + r[3]]]) {
        ctx.fillRect(cx - 5, cy - 5, 10, 10);
      }
      boxLabel(ctx, name.toUpperCase(), r[0] + 4, r[1] + 4, rgb);
    }
  }

  // the numbers: the page's while dragging, Python's otherwise
  function numbers(fromPython) {
    const r = fromPython ? meta : boxIoU(boxes.a, boxes.b);
    view.inter.textContent = `intersection ${areaText(r.intersection)} px\u00b2`;
    view.union.textContent = `union ${areaText(r.union)} px\u00b2`;
    view.value.textContent = r.iou.toFixed(3);
    view.boxA.textContent = `A ${boxText(boxes.a)}`;
    view.boxB.textContent = `B ${boxText(boxes.b)}`;
    view.boxA.style.color = cssColor(meta.colors.box_a);
    view.boxB.style.color = cssColor(meta.colors.box_b);
    Object.assign(view.root.dataset, {
      iou: String(r.iou), source: fromPython ? "python" : "page", imageSize: meta.image_size.join(","),
      boxA: boxes.a.join(","), boxB: boxes.b.join(","),
    });
    view.note.textContent = fromPython ? "computed in Python by cnnlab.detection.iou" : "computed in the page while you drag";
  }

  // Python's state (after a new scene or an answer): what is shown unless a drag is under way
  function fromModel() {
    meta = model.get("meta");
    if (!meta || !meta.image_size) return;
    photo.setMeta(meta);
    view.title.textContent = meta.title || "";
    if (drag) return;
    boxes = { a: meta.box_a.slice(), b: meta.box_b.slice() };
    photo.refit();
    draw();
    numbers(true);
    view.root.dataset.ready = "true";
  }

  // which box and which part of it is under the pointer: corners first, then insides (B is on top)
  function grab(event) {
    const [px, py] = photo.at(event);
    const [ux, uy] = photo.perCss();
    for (const name of ["b", "a"]) {
      const [x0, y0, x1, y1] = boxes[name];
      for (const [how, cx, cy] of [["x0y0", x0, y0], ["x1y0", x1, y0], ["x0y1", x0, y1], ["x1y1", x1, y1]]) {
        if (Math.abs(px - cx) / ux <= HANDLE_PX && Math.abs(py - cy) / uy <= HANDLE_PX) return { name, how };
      }
    }
    for (const name of ["b", "a"]) {
      const [x0, y0, x1, y1] = boxes[name];
      if (px >= x0 && px <= x1 && py >= y0 && py <= y1) return { name, how: "move" };
    }
    return null;
  }

  const canvas = photo.canvas;
  listen(canvas, "pointerdown", (event) => {
    if (!meta || !boxes || (event.button !== undefined && event.button > 0)) return;
    const hit = grab(event);
    if (!hit) return;
    event.preventDefault();
    drag = { ...hit, start: photo.at(event), from: boxes[hit.name].slice() };
    view.root.dataset.dragging = hit.name;
    try {
      canvas.setPointerCapture(event.pointerId);   // the drag goes on outside the photo
    } catch {
      // a pointer already gone: the drag still follows while over the photo
    }
  });
  listen(canvas, "pointermove", (event) => {
    if (!drag) {
      if (meta && boxes) {
        const hit = grab(event);
        canvas.style.cursor = !hit ? "default" : hit.how === "move" ? "move" : (hit.how === "x0y0" || hit.how === "x1y1") ? "nwse-resize" : "nesw-resize";
      }
      return;
    }
    const [px, py] = photo.at(event);
    const [W, H] = meta.image_size;
    boxes[drag.name] = dragBox(drag.from, drag.how, px - drag.start[0], py - drag.start[1], W, H);
    draw();
    numbers(false);
  });
  const end = (event) => {
    if (!drag) return;
    const { name, from } = drag;
    drag = null;
    delete view.root.dataset.dragging;
    if (canvas.hasPointerCapture && canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
    drags += 1;
    view.root.dataset.drags = String(drags);
    const box = boxes[name];
    if (box.some((x, i) => x !== from[i])) {
      view.root.dataset.sent = String(Number(view.root.dataset.sent) + 1);
      model.send({ type: "set", name: `box_${name}`, value: box });
    }
  };
  listen(canvas, "pointerup", end);
  listen(canvas, "pointercancel", end);

  onModel("change:meta", fromModel);
  onModel("change:image_data", () => {
    drawPhoto(canvas, model.get("image_data"));
    fromModel();
  });
  onModel("change:error", () => showModelError(model, view.error));
  onModel("msg:custom", (msg) => {
    if (msg && msg.type === "ack") {
      view.root.dataset.acks = String(Number(view.root.dataset.acks || 0) + 1);
      showModelError(model, view.error);
      fromModel();   // a refused box goes back to Python's last good one
    }
  });
  const resized = new ResizeObserver(() => {
    photo.refit();
    draw();
  });
  resized.observe(canvas);
  drawPhoto(canvas, model.get("image_data"));
  showModelError(model, view.error);
  fromModel();
  return () => {
    resized.disconnect();
    view.root.remove();
  };
}

// ---- NMS: one decision per step, highest score first

function buildNMSView(st) {
  const root = h("div", "cnnlab-widget cnnlab-nms");
  root.tabIndex = 0;
  Object.assign(root.dataset, { kind: "nms", step: "0", steps: "0", frames: "0", playing: "false", ready: "false" });
  const header = h("div", "cnnlab-header");
  const title = h("span", "cnnlab-title");
  const describe = h("span", "cnnlab-describe", "highest score first: keep a box unless it overlaps a kept box too much");
  header.append(title, describe);
  const transport = transportControls(st);
  const threshold = h("input", "cnnlab-threshold");
  Object.assign(threshold, { type: "range", min: "0", max: "1", step: "0.05" });
  threshold.setAttribute("aria-label", "IoU threshold");
  const thresholdText = h("span", "cnnlab-readout cnnlab-threshold-text");
  const thresholdLabel = h("label", "", "IoU threshold");
  thresholdLabel.append(threshold, thresholdText);
  const toolbar = h("div", "cnnlab-toolbar");
  toolbar.append(transport.controls, thresholdLabel);
  const photo = photoPanel("boxes on the photo");
  const side = h("div", "cnnlab-zoom-panel cnnlab-nms-panel");
  const position = h("div", "cnnlab-position");
  const decision = h("div", "cnnlab-nms-decision");
  const keptLine = h("div", "cnnlab-nms-kept");
  const key = h("div", "cnnlab-nms-key");
  const stats = h("div", "cnnlab-stats");
  side.append(position, decision, keptLine, key, stats);
  const main = h("div", "cnnlab-main");
  main.append(photo.fig, side);
  const error = errorLine();
  root.append(header, toolbar, error, main);
  return { root, title, photo, position, decision, keptLine, key, stats, error, threshold,
    thresholdText, ...transport };
}

function nmsKey(node, colors) {
  const item = (rgb, text) => {
    const span = h("span", "cnnlab-nms-key-item");
    const swatch = h("span", "cnnlab-nms-swatch");
    swatch.style.borderColor = cssColor(rgb);
    span.append(swatch, text);
    return span;
  };
  node.replaceChildren(item(colors.current, "being decided"), item(colors.kept, "kept"),
    item(colors.removed, "removed (IoU with the box that removed it)"), item(colors.pending, "not decided yet"));
}

// The painter of the NMS widget: the photo once per scene, the boxes' states at any step.
function createNMSPainter(view) {
  const { photo } = view;
  let S = null;
  let shown = 0;

  function setScene(scene) {
    S = scene;
    const { meta } = S;
    photo.setMeta(meta);
    drawPhoto(photo.canvas, S.photoWire);
    view.title.textContent = meta.title || "";
    view.root.dataset.steps = String(S.steps);
    view.root.dataset.threshold = String(meta.iou_threshold);
    view.scrub.max = String(S.steps - 1);
    view.threshold.value = String(meta.iou_threshold);
    view.thresholdText.textContent = fmt(meta.iou_threshold);
    view.stats.textContent = `${meta.kept.length} of ${S.steps} boxes kept at IoU threshold ${fmt(meta.iou_threshold)}`;
    nmsKey(view.key, meta.colors);
    photo.refit();
  }

  // box -> 0 pending, 1 kept, 2 removed (with the IoU that removed it) after decision s
  function states(s) {
    const state = new Uint8Array(S.steps);
    const removedBy = new Float32Array(S.steps);
    const kept = [];
    for (let k = 0; k <= s; k++) {
      const [index, isKept, , iou] = S.decisions.data.subarray(k * 4, k * 4 + 4);
      state[index] = isKept ? 1 : 2;
      removedBy[index] = iou;
      if (isKept) kept.push(index);
    }
    return { state, removedBy, kept };
  }

  function drawBoxes(s, { state, removedBy }) {
    if (!photo.begin()) return;
    const { ctx } = photo;
    const colors = S.meta.colors;
    const box = (i) => Array.from(S.boxes.data.subarray(i * 5, i * 5 + 4));
    const order = [0, 2, 1];   // pending under removed under kept
    for (const which of order) {
      for (let i = 0; i < S.steps; i++) {
        if (state[i] !== which) continue;
        const r = photo.rect(box(i));
        const rgb = which === 1 ? colors.kept : which === 2 ? colors.removed : colors.pending;
        outline(ctx, r, 0, which === 0 ? 1.5 : 2.5, cssColor(rgb, which === 0 ? 0.9 : 1));
        if (which === 2) boxLabel(ctx, removedBy[i].toFixed(2), r[0] + 2, r[1] + 2, rgb, 12);
      }
    }
    const current = S.decisions.data[s * 4];
    const r = photo.rect(box(current));
    outline(ctx, r, 3, 4, cssColor(colors.current));
    outline(ctx, r, 0, 3, cssColor(state[current] === 1 ? colors.kept : colors.removed));
    if (state[current] === 2) boxLabel(ctx, `IoU ${removedBy[current].toFixed(2)}`, r[0] + 2, r[1] + 2, colors.removed);
  }

  function show(s) {
    if (!S) return;
    shown = s;
    const now = states(s);
    drawBoxes(s, now);
    const [index, isKept, by, iou] = S.decisions.data.subarray(s * 4, s * 4 + 4);
    const score = S.boxes.data[index * 5 + 4];
    const t = fmt(S.meta.iou_threshold);
    view.position.textContent = `step ${s + 1} of ${S.steps}: box ${index} (score ${fmt(score)})`;
    let text;
    if (!isKept) text = `overlaps kept box ${by} by IoU ${iou.toFixed(2)} > ${t}: removed`;
    else if (now.kept.length > 1) text = `overlaps the kept boxes by at most IoU ${iou.toFixed(2)} \u2264 ${t}: kept`;
    else text = "has the highest score: kept";
    view.decision.textContent = text;
    view.decision.className = `cnnlab-nms-decision ${isKept ? "cnnlab-nms-is-kept" : "cnnlab-nms-is-removed"}`;
    view.keptLine.textContent = `kept so far: ${now.kept.join(", ")}`;
    view.readout.textContent = `${s + 1} / ${S.steps}`;
    view.scrub.value = String(s);
    Object.assign(view.root.dataset, { step: String(s), kept: now.kept.join(","), current: String(index) });
  }

  const resized = new ResizeObserver(() => {
    if (!S) return;
    photo.refit();
    show(shown);
  });
  resized.observe(photo.canvas);
  return { setScene, show, steps: () => (S ? S.steps : 0), dispose: () => { resized.disconnect(); S = null; } };
}

function renderNMS({ model, el }, listen, onModel) {
  const meta0 = model.get("meta") || {};
  const view = buildNMSView(style(meta0));
  el.appendChild(view.root);
  const painter = createNMSPainter(view);
  const player = createPlayer(view, painter, (fields) => {
    for (const [name, value] of Object.entries(fields)) model.set(name, value);
    model.save_changes();
  });
  bindTransport(view, painter, player, listen);
  let pending = false;

  function rebuild() {
    pending = false;
    const meta = model.get("meta");
    const decisions = decodeArray(model.get("output_data"));
    const boxes = decodeArray(model.get("boxes_data"));
    const photoWire = model.get("input_data");
    if (!meta || !decisions || !boxes || !photoWire) return;
    painter.setScene({ meta, decisions, boxes, photoWire, steps: meta.steps });
    player.restart(Number(model.get("step")) || 0);
    view.root.dataset.ready = "true";
  }
  const schedule = () => {
    if (!pending) {
      pending = true;
      queueMicrotask(rebuild);
    }
  };
  for (const name of ["meta", "input_data", "output_data", "boxes_data"]) onModel(`change:${name}`, schedule);
  onModel("change:step", () => player.jump(Number(model.get("step"))));
  onModel("change:playing", () => player.setPlaying(Boolean(model.get("playing")), false));
  onModel("change:speed", () => player.setSpeed(Number(model.get("speed")) || player.speed));
  onModel("change:error", () => showModelError(model, view.error));
  onModel("msg:custom", (msg) => {
    if (msg && msg.type === "ack") {
      showModelError(model, view.error);
      const meta = model.get("meta") || {};
      view.threshold.value = String(meta.iou_threshold);   // a refused value goes back
      view.thresholdText.textContent = fmt(meta.iou_threshold);
    }
  });
  listen(view.threshold, "input", () => { view.thresholdText.textContent = fmt(Number(view.threshold.value)); });
  listen(view.threshold, "change", () => model.send({ type: "set", name: "iou_threshold", value: Number(view.threshold.value) }));
  listen(view.speedInput, "change", () => {
    model.set("speed", player.speed);
    model.save_changes();
  });
  player.setSpeed(Number(model.get("speed")) || 1);
  showModelError(model, view.error);
  rebuild();
  if (model.get("playing")) player.setPlaying(true, false);
  return () => {
    player.dispose();
    painter.dispose();
    view.root.remove();
  };
}

// ------------------------------------------------------------------ render

function render({ model, el }) {
  const abort = new AbortController();
  const listen = (target, type, fn) => target.addEventListener(type, fn, { signal: abort.signal });
  listen.signal = abort.signal;   // what else ends with the widget (its place in the page-wide keys)
  const modelHandlers = [];
  const onModel = (name, fn) => { model.on(name, fn); modelHandlers.push([name, fn]); };
  let disposed = false;
  const release = () => {
    abort.abort();
    for (const [name, fn] of modelHandlers) model.off(name, fn);
  };
  const boxKinds = { draw: renderDraw, iou: renderIoU, nms: renderNMS };
  if (boxKinds[model.get("kind")]) {
    const remove = boxKinds[model.get("kind")]({ model, el }, listen, onModel);
    return () => { release(); remove(); };
  }

  const meta = model.get("meta") || {};
  const kind = KINDS[model.get("kind")] ? model.get("kind") : KINDS[meta.kind] ? meta.kind : "convolution";
  const view = buildView(kind, meta, style(meta));
  el.appendChild(view.root);
  const painter = createPainter(view, KINDS[kind]);
  const player = createPlayer(view, painter, (fields) => {
    for (const [name, value] of Object.entries(fields)) model.set(name, value);
    model.save_changes();
  });
  bindControls(view, painter, player, listen);
  bindModel(model, view, painter, player, listen, onModel, () => disposed);

  return () => {
    disposed = true;
    player.dispose();
    painter.dispose();
    abort.abort();
    for (const [name, fn] of modelHandlers) model.off(name, fn);
    view.root.remove();
  };
}

export default { render };
