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
const LABEL_COLOR = "rgb(70, 50, 0)";   // "channel k" above the flatten widget's tiles (_base.LABEL_RGB)
const WINDOW_COLOR = "rgb(255, 176, 0)";
const PANEL_PX = 320;
const MAX_SPEED = 1000;
const MAX_LISTED = 81;   // window cells listed in the zoom panel (9x9)
const MAX_TERMS = 25;    // products written out in full
const MARGIN = 8;        // CSS px the overlay canvases reach beyond their canvas, so rings are never clipped

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

// A written-out dot product: {terms, tail}. `tail` holds the total (from ops, never recomputed
// here) and is never cut off; `terms` may be, with an ellipsis. The products are written so that
// they add up to the total as printed: fractions over a common denominator when the kernel has one
// (box blur: "(151 + 159 + … + 173) / 9 = 1533 / 9 = 170.33"), and "≈" instead of "=" when
// rounded numbers cannot add up exactly.
export function dotProduct(values, weights, den, total) {
  const n = values.length;
  const shown = n > MAX_TERMS ? 12 : n;
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
  const approx = !cut && fmt(printed) !== fmt(total);
  tail = `${tail} ${approx ? "\u2248" : "="}`.trim();
  return { terms, tail, result: fmt(total) };
}

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

// Top-left panel cell of channel k's tile, below its label band (mirrors FlattenWidget._tile_origin).
function tileOrigin(m, k) {
  const [H, W] = m.in_shape;
  const lab = m.label_rows || 0;
  const tileCols = m.tiles[1];
  return [Math.floor(k / tileCols) * (lab + H + 1) + lab, (k % tileCols) * (W + 1)];
}

function flattenPanel(S) {
  const m = S.meta;
  const [H, W, C] = m.in_shape;
  const [tileRows, tileCols] = m.tiles;
  const lab = m.label_rows || 0;
  const rows = tileRows * (lab + H + 1) - 1;
  const cols = tileCols * (W + 1) - 1;
  const rgba = new Uint8ClampedArray(rows * cols * 4);
  for (let o = 0; o < rgba.length; o += 4) {
    rgba[o] = GAP_RGB[0]; rgba[o + 1] = GAP_RGB[1]; rgba[o + 2] = GAP_RGB[2]; rgba[o + 3] = 255;
  }
  const vals = S.input.data;
  for (let k = 0; k < C; k++) {
    const [ty, tx] = tileOrigin(m, k);
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
    const width = W * g.cx;
    const bold = k === current;
    ctx.font = `${bold ? 700 : 500} ${size}px system-ui, -apple-system, "Segoe UI", sans-serif`;
    const text = [`channel ${k}`, `ch ${k}`, String(k)].find((t) => ctx.measureText(t).width <= width - 2);
    if (text === undefined) continue;
    if (bold) {
      ctx.fillStyle = WINDOW_COLOR;
      ctx.fillRect(x, y + 1, ctx.measureText(text).width + 6, band - 2);
    }
    ctx.fillStyle = LABEL_COLOR;
    ctx.fillText(text, x + 3, y + band / 2);
  }
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
  const den = m.kernel_den === undefined ? 0 : m.kernel_den;
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
      ui.zoom.appendChild(figure(caption, gridTable(kh, kw, (i, j) => ({ text: weightText(w[i * kw + j], den) }))));
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
    ui.sum.appendChild(sumLine("", dotProduct(wins[0].vals, weights(0), den, value)));
  } else {
    const parts = [0, 1, 2].map((ch) => S.parts.data[step * 3 + ch]);
    chans.forEach((ch, n) => {
      ui.sum.appendChild(sumLine(`${names[ch]}:`, dotProduct(wins[n].vals, weights(ch), den, parts[ch])));
    });
    const added = parts.map(fmt).reduce((a, t) => a + num(t), 0);
    const rel = fmt(added) === fmt(value) ? "=" : "\u2248";
    ui.sum.appendChild(sumLine("output =", {
      terms: "R + G + B", tail: `= ${fmt(parts[0])} + ${paren(parts[1])} + ${paren(parts[2])} ${rel}`,
      result: fmt(value) }));
  }
  ui.sum.classList.add("cnnlab-sum-lines");
  ui.sum.title = "click to show the sums in full (or to shorten them again)";
  ui.stats.textContent = "";
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
  convolution: ["input image", "feature map (output)"],
  pooling: ["feature map", "pooled map (output)"],
  activation: ["before", "after (output)"],
  flatten: ["maps, one tile per channel", "flattened vector (wrapped)"],
};

// The colour key of a map canvas: "≤ −820 [blue→white] 0 [white→red] ≥ 820" (or black→white),
// from Python's limits; "≤"/"≥" when values beyond the limits exist (they are drawn at full colour).
function fillLegend(node, arrays, vmin, vmax, prefix = "") {
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
    for (let i = 0; i <= 8; i++) {
      const rgb = toRGB(a + ((b - a) * i) / 8, vmin, vmax);
      stops.push(`rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`);
    }
    const node = h("span", "cnnlab-legend-bar");
    node.style.background = `linear-gradient(to right, ${stops.join(", ")})`;
    return node;
  };
  const parts = prefix ? [h("span", "", prefix)] : [];
  if (vmin < 0) {
    parts.push(h("span", "", `${lo < vmin ? "\u2264 " : ""}${fmt(vmin)}`), bar(vmin, 0), h("span", "", "0"),
      bar(0, vmax), h("span", "", `${hi > vmax ? "\u2265 " : ""}${fmt(vmax)}`));
    node.title = "blue: negative, white: zero, red: positive";
  } else {
    parts.push(h("span", "", `${lo < vmin ? "\u2264 " : ""}${fmt(vmin)}`), bar(vmin, vmax),
      h("span", "", `${hi > vmax ? "\u2265 " : ""}${fmt(vmax)}`));
    node.title = "black: the smallest value, white: the largest";
  }
  if (lo < vmin || hi > vmax) node.title += "; the few values beyond the ends are drawn at full colour";
  node.replaceChildren(...parts);
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

// ------------------------------------------------------------------ render

function render({ model, el }) {
  const abort = new AbortController();
  const listen = (target, type, fn) => target.addEventListener(type, fn, { signal: abort.signal });
  const modelHandlers = [];
  const onModel = (name, fn) => { model.on(name, fn); modelHandlers.push([name, fn]); };

  const kind = model.get("kind") || (model.get("meta") || {}).kind || "convolution";
  const impl = KINDS[kind] || KINDS.convolution;

  // ---- DOM: title, then the controls (so Play is in view at the top), then the canvases and numbers
  const root = h("div", "cnnlab-widget");
  root.tabIndex = 0;
  Object.assign(root.dataset, { kind, step: "0", steps: "0", frames: "0", playing: "false", ready: "false" });
  const header = h("div", "cnnlab-header");
  const title = h("span", "cnnlab-title");
  const describe = h("span", "cnnlab-describe");
  const scaleNote = h("div", "cnnlab-scale-note");
  header.append(title, describe);

  const [inLabel, outLabel] = PANEL_LABELS[kind] || PANEL_LABELS.convolution;
  const makePanel = (canvasClass, overlayClass, label) => {
    const fig = h("figure", "cnnlab-panel");
    const caption = h("figcaption", "cnnlab-label");
    const captionText = h("span", "cnnlab-label-text", label);
    caption.appendChild(captionText);
    const stack = h("div", "cnnlab-stack");
    const canvas = h("canvas", canvasClass);
    const overlay = h("canvas", overlayClass);
    overlay.setAttribute("aria-hidden", "true");
    stack.append(canvas, overlay);
    const legend = h("div", "cnnlab-legend");
    legend.hidden = true;
    fig.append(caption, stack, legend);
    return { fig, caption, captionText, stack, canvas, overlay, legend };
  };
  const inPanel = makePanel("cnnlab-input", "cnnlab-window", inLabel);
  const outPanel = makePanel("cnnlab-output", "cnnlab-marker", outLabel);
  // the scale note sits under the picture it is about: the input (the vector for flatten)
  (kind === "flatten" ? outPanel : inPanel).fig.appendChild(scaleNote);
  const inCanvas = inPanel.canvas;
  const outCanvas = outPanel.canvas;
  const windowLayer = inPanel.overlay;
  const marker = outPanel.overlay;
  const stack = outPanel.stack;
  const zoomPanel = h("div", "cnnlab-zoom-panel");
  const ui = {
    position: h("div", "cnnlab-position"), zoom: h("div", "cnnlab-zoom"),
    sum: h("div", "cnnlab-sum"), stats: h("div", "cnnlab-stats"),
  };
  zoomPanel.append(ui.position, ui.zoom, ui.sum, ui.stats);
  const main = h("div", "cnnlab-main");
  main.append(inPanel.fig, outPanel.fig, zoomPanel);

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
  const speedText = h("span", "cnnlab-readout cnnlab-speed-text");
  const scrubLabel = h("label", "cnnlab-scrub-label", "step");
  scrubLabel.append(scrub, readout);
  const speedLabel = h("label", "", "speed");
  speedLabel.append(speedInput, speedText);
  controls.append(back, play, forward, scrubLabel, speedLabel);

  const params = h("div", "cnnlab-params");
  const selects = {};
  let kernelText = null;
  let apply = null;
  const meta0 = model.get("meta") || {};
  for (const name of Object.keys(meta0.options || {})) {
    const label = h("label", "", LABELS[name] || name);
    const select = h("select", `cnnlab-${name}`);
    label.append(select);
    // the channel choice is about what the input picture shows: it sits in that picture's caption
    if (name === "channel") inPanel.caption.appendChild(label);
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
  const toolbar = h("div", "cnnlab-toolbar");
  toolbar.append(controls, params);
  const error = h("div", "cnnlab-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  root.append(header, toolbar, error, main);
  el.appendChild(root);

  const inCtx = inCanvas.getContext("2d");
  const outCtx = outCanvas.getContext("2d");
  const markCtx = marker.getContext("2d");
  const windowCtx = windowLayer.getContext("2d");

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
  let inFit = null;        // overlay geometry (null until the canvases are laid out)
  let outFit = null;

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
    // output canvas: whole canvas pixels per cell, no smoothing; CSS may scale the whole canvas
    const sOut = Math.max(1, Math.floor(PANEL_PX / Math.max(S.rows, S.cols)));
    S.sOut = sOut;
    outCanvas.width = S.cols * sOut;
    outCanvas.height = S.rows * sOut;
    Object.assign(outCanvas.dataset, { scale: String(sOut), vmin: String(meta.vmin), vmax: String(meta.vmax) });
    S.colors = new Uint8ClampedArray(S.n * 3);
    for (let i = 0; i < S.n; i++) {
      const rgb = toRGB(output.data[i], meta.vmin, meta.vmax);
      S.colors[i * 3] = rgb[0]; S.colors[i * 3 + 1] = rgb[1]; S.colors[i * 3 + 2] = rgb[2];
    }
    outImage = outCtx.createImageData(outCanvas.width, outCanvas.height);
    for (let i = 0; i < S.n; i++) paintCell(i, PENDING_RGB[0], PENDING_RGB[1], PENDING_RGB[2]);
    drawnUpTo = -1;
    // input canvas: the panel at one pixel per cell, drawn scaled up once (the window is on its overlay)
    const panel = impl.panel(S);
    S.panel = panel;
    const sIn = Math.max(1, Math.floor(PANEL_PX / Math.max(panel.rows, panel.cols)));
    S.sIn = sIn;
    const source = document.createElement("canvas");
    source.width = panel.cols;
    source.height = panel.rows;
    source.getContext("2d").putImageData(new ImageData(panel.rgba, panel.cols, panel.rows), 0, 0);
    inCanvas.width = panel.cols * sIn;
    inCanvas.height = panel.rows * sIn;
    inCanvas.dataset.scale = String(sIn);
    inCtx.imageSmoothingEnabled = false;
    inCtx.drawImage(source, 0, 0, inCanvas.width, inCanvas.height);
    // texts, legends and controls
    const padded = (meta.pad || []).some((p) => p > 0);
    inPanel.captionText.textContent = inLabel + (padded ? " + padding (checkered)" : "");
    title.textContent = meta.title || "";
    describe.textContent = meta.describe || "";
    scaleNote.textContent = meta.scale_note || "";
    // colour keys: under the output; under the input too when its colours differ (sigmoid, tanh);
    // the flatten widget's maps and vector share theirs, shown under the maps
    outPanel.legend.hidden = true;
    inPanel.legend.hidden = true;
    const shared = meta.in_vmin === undefined || (meta.in_vmin === meta.vmin && meta.in_vmax === meta.vmax);
    if (kind === "flatten") fillLegend(inPanel.legend, [input.data], meta.vmin, meta.vmax);
    else if (kind === "convolution" || !shared) fillLegend(outPanel.legend, [output.data], meta.vmin, meta.vmax);
    else fillLegend(outPanel.legend, [input.data, output.data], meta.vmin, meta.vmax, "both maps:");
    if (kind !== "convolution" && kind !== "flatten" && !shared) {
      fillLegend(inPanel.legend, [input.data], meta.in_vmin, meta.in_vmax);
    }
    root.dataset.steps = String(S.steps);
    scrub.max = String(S.steps - 1);
    syncControls(true);
    const wanted = playing ? step : Number(model.get("step")) || 0;
    step = Math.min(Math.max(wanted, 0), S.steps - 1);
    pos = step;
    zoomStep = -1;
    fitOverlays();
    show(step);
    root.dataset.ready = "true";
  }

  function fitOverlays() {
    inFit = fitOverlay(inCanvas, windowLayer);
    outFit = fitOverlay(outCanvas, marker);
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
    outCtx.putImageData(outImage, 0, 0);
  }

  // The window on the input: a tinted fill, a dark line just inside and an orange ring outside its
  // border, on the overlay canvas (which reaches MARGIN px beyond the input, so nothing is clipped).
  function drawWindow(s) {
    if (!inFit) return;
    beginOverlay(windowCtx, windowLayer, inFit);
    const cx = S.sIn * inFit.fx;
    const cy = S.sIn * inFit.fy;
    if (kind === "flatten") {
      flattenLabels(S, s, windowCtx, { cx, cy });
      // a fading trail: the entries read just before, to show the order
      for (let back = 2; back >= 1; back--) {
        if (s - back < 0) continue;
        const [t, l, hh, ww] = impl.window(S, s - back);
        windowCtx.lineWidth = 2;
        windowCtx.strokeStyle = `rgba(255, 176, 0, ${back === 1 ? 0.7 : 0.4})`;
        windowCtx.strokeRect(l * cx - 1, t * cy - 1, ww * cx + 2, hh * cy + 2);
      }
    }
    const [top, left, hh, ww] = impl.window(S, s);
    const x = left * cx;
    const y = top * cy;
    const w = ww * cx;
    const hgt = hh * cy;
    windowCtx.fillStyle = "rgba(255, 176, 0, 0.18)";
    windowCtx.fillRect(x, y, w, hgt);
    windowCtx.lineWidth = 1.5;
    windowCtx.strokeStyle = "rgba(0, 0, 0, 0.8)";
    windowCtx.strokeRect(x + 0.75, y + 0.75, Math.max(w - 1.5, 0), Math.max(hgt - 1.5, 0));
    windowCtx.lineWidth = 3;
    windowCtx.strokeStyle = WINDOW_COLOR;
    windowCtx.strokeRect(x - 1.5, y - 1.5, w + 3, hgt + 3);
  }

  // The cell being computed: a dark ring and an orange ring around it, fully visible at the edges.
  function drawMarker(s) {
    if (!outFit) return;
    beginOverlay(markCtx, marker, outFit);
    const cx = S.sOut * outFit.fx;
    const cy = S.sOut * outFit.fy;
    const x = (s % S.cols) * cx;
    const y = Math.floor(s / S.cols) * cy;
    markCtx.lineWidth = 2;
    markCtx.strokeStyle = "rgba(0, 0, 0, 0.85)";
    markCtx.strokeRect(x - 1, y - 1, cx + 2, cy + 2);
    markCtx.lineWidth = 3;
    markCtx.strokeStyle = WINDOW_COLOR;
    markCtx.strokeRect(x - 3.5, y - 3.5, cx + 7, cy + 7);
  }

  function show(s) {
    if (!S) return;
    step = s;
    drawOutput(s);
    drawWindow(s);
    drawMarker(s);
    if (zoomStep !== s) {
      zoomStep = s;
      impl.zoom(S, s, ui);
      readout.textContent = `${s + 1} / ${S.steps}`;
      scrub.value = String(s);
      root.dataset.step = String(s);
    }
  }

  const resized = new ResizeObserver(() => {
    if (!S || disposed) return;
    fitOverlays();
    drawWindow(step);
    drawMarker(step);
  });
  resized.observe(inCanvas);
  resized.observe(outCanvas);

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
    const rect = outCanvas.getBoundingClientRect();   // the canvas may be drawn smaller than its pixels
    const c = Math.floor(((event.clientX - rect.left) / rect.width) * S.cols);
    const r = Math.floor(((event.clientY - rect.top) / rect.height) * S.rows);
    const s = r * S.cols + c;
    if (r >= 0 && c >= 0 && c < S.cols && r < S.rows && s < S.n) goTo(s);
  });
  listen(ui.sum, "click", () => {
    if (ui.sum.classList.contains("cnnlab-sum-lines")) ui.sum.classList.toggle("cnnlab-expanded");
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
    resized.disconnect();
    abort.abort();
    for (const [name, fn] of modelHandlers) model.off(name, fn);
    root.remove();
  };
}

export default { render };
