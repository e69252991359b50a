// The convolution kind: a kernel slides over a photo (or a trained layer's filter over its input);
// the numbers panel writes the window, the kernel and the dot product out. Python: convolution.py.

import { dotProduct, fmt, num, paren, weightText } from "../core/arith.js";
import { figure, fillLegend, gridTable, h, paddedPanel, resultBox } from "../core/dom.js";
import { outputLegend, windowOfStep, windowPosition } from "../core/painter.js";
import { registerKind } from "../core/registry.js";

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


// Python's full-resolution map: the button asks for it, its answer (full_png, full_info) is shown.
function bindFullResolution(model, view, listen, onModel) {
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

registerKind("convolution", {
  labels: ["input image", "feature map (output)"],
  panel: convPanel, window: windowOfStep, zoom: convZoom, legend: outputLegend,
  // the filter menu is always there: it shows once a trained layer offers filters
  options: (meta) => ({ ...meta.options, filter: (meta.options || {}).filter || [] }),
  // the button sits in the feature map's caption: on a projector the toolbar has no room for one more row
  extend: (view, st) => {
    const full = fullResolutionView(view.outPanel.caption, st);
    view.root.append(full.fig);
    return { full };
  },
  bind: bindFullResolution,
});
