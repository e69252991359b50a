// The pooling kind: a max or average window shrinks a feature map. Python: pooling.py.

import { mapPanel, sharedLegend, windowOfStep, windowZoom } from "../core/painter.js";
import { registerKind } from "../core/registry.js";

function poolZoom(S, step, ui) {
  const max = S.meta.mode === "max";
  windowZoom(S, step, ui, max, (listed, cut, n, value) => (max
    ? `max(${listed.join(", ")}${cut ? ", \u2026" : ""}) = ${value}`
    : `(${listed.join(" + ")}${cut ? " + \u2026" : ""}) / ${n} = ${value}`));
  ui.stats.textContent = max ? "the largest value in the window wins (outlined)" : "";
}

registerKind("pooling", {
  labels: ["feature map", "pooled map (output)"],
  panel: mapPanel, window: windowOfStep, zoom: poolZoom, legend: sharedLegend,
});
