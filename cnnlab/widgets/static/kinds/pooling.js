// The pooling kind: a max or average window shrinks a feature map. Python: pooling.py.

import { fmt } from "../core/arith.js";
import { figure, gridTable, h, resultBox } from "../core/dom.js";
import { mapPanel, sharedLegend, windowOfStep, windowPosition } from "../core/painter.js";
import { registerKind } from "../core/registry.js";

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


registerKind("pooling", {
  labels: ["feature map", "pooled map (output)"],
  panel: mapPanel, window: windowOfStep, zoom: poolZoom, legend: sharedLegend,
});
