// ------------------------------------------------------------------ drawing helpers

import { cssColor, fmt, toRGB } from "./arith.js";

const MARGIN = 8;   // CSS px the overlay canvases reach beyond their canvas (widget.css: left/top -8px)

export function h(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function gridTable(rows, cols, cell) {
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

export function figure(caption, child) {
  const fig = h("figure");
  fig.appendChild(child);
  fig.appendChild(h("figcaption", "", caption));
  return fig;
}

// A value in a box of its own colour, its text black or white, whichever reads better.
export function resultBox(value, vmin, vmax, st) {
  const node = h("span", "cnnlab-result", fmt(value));
  const rgb = toRGB(value, vmin, vmax, st);
  node.style.background = cssColor(rgb);
  node.style.color = (rgb[0] * 0.299 + rgb[1] * 0.587 + rgb[2] * 0.114) < 128 ? "#fff" : "#000";
  return node;
}

// A rectangle's outline `offset` CSS px outside [x, y, w, hh] (inside when negative).
export function outline(ctx, [x, y, w, hh], offset, lineWidth, color) {
  ctx.lineWidth = lineWidth;
  ctx.strokeStyle = color;
  ctx.strokeRect(x - offset, y - offset, Math.max(w + 2 * offset, 0), Math.max(hh + 2 * offset, 0));
}

// An image of rows x cols pixels, pixel(y, x) -> [r, g, b].
export function panelImage(rows, cols, pixel) {
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
export function paddedPanel(S, inner) {
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
export function fillLegend(legend, arrays, vmin, vmax, st, prefix = "", note = "") {
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

export function hideLegend(legend) {
  legend.bar.hidden = true;
  legend.note.hidden = true;
}

// The key of the output cells the animation has not reached yet: a swatch of their colour.
export function fillPendingKey(node, st, words) {
  const swatch = h("span", "cnnlab-pending-swatch");
  swatch.style.background = cssColor(st.pending_rgb);
  node.replaceChildren(swatch, h("span", "", words || "not computed yet"));
  node.hidden = false;
}

// Size an overlay canvas to its base canvas's CSS box plus MARGIN on every side, at the device's
// pixel ratio; returns how to map base-canvas pixels to overlay CSS px (null while not laid out).
export function fitOverlay(base, overlay) {
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

export function beginOverlay(ctx, overlay, fit) {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, overlay.width, overlay.height);
  ctx.setTransform(fit.dpr, 0, 0, fit.dpr, MARGIN * fit.dpr, MARGIN * fit.dpr);
}

export function errorLine() {
  const error = h("div", "cnnlab-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  return error;
}

export function showModelError(model, error) {
  const text = model.get("error") || "";
  error.textContent = text;
  error.hidden = !text;
}

