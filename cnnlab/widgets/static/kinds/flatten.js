// The flatten kind: the maps read into one vector, cell by cell and channel by channel. Python: flatten.py.

import { cssColor, fmt, toRGB } from "../core/arith.js";
import { h, outline, panelImage } from "../core/dom.js";
import { inputLegend } from "../core/painter.js";
import { registerKind } from "../core/registry.js";

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


registerKind("flatten", {
  labels: ["maps, one tile per channel", "flattened vector (wrapped)"],
  panel: flattenPanel, window: flattenWindow, zoom: flattenZoom, decorate: flattenTrail, legend: inputLegend,
  scaleUnder: "output",   // the size note is about the vector
});
