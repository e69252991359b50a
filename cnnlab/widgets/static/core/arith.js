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

export const cssColor = (rgb, alpha) => (alpha === undefined ? `rgb(${rgb.join(", ")})` : `rgba(${rgb.join(", ")}, ${alpha})`);

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

export const paren = (x) => (x < 0 ? `(${fmt(x)})` : fmt(x));
const parenText = (text) => (text.startsWith("\u2212") ? `(${text})` : text);
export const num = (text) => Number(text.replace("\u2212", "-"));   // a printed number, read back

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
