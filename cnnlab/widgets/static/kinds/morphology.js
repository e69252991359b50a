// The morphology kind: dilation keeps the largest value of the window centred on each cell, erosion
// the smallest; pooling with stride 1, so the output keeps the map's size. Python: morphology.py.

import { mapPanel, sharedLegend, windowOfStep, windowZoom } from "../core/painter.js";
import { registerKind } from "../core/registry.js";

function morphologyZoom(S, step, ui) {
  const m = S.meta;
  const name = m.mode === "dilation" ? "max" : "min";
  windowZoom(S, step, ui, true, (listed, cut, n, value) => `${name}(${listed.join(", ")}${cut ? ", \u2026" : ""}) = ${value}`);
  ui.stats.textContent = `the ${m.word} value in the window wins (outlined): max pooling with stride 1${
    m.mode === "erosion" ? ", on the map turned upside down" : ""}`;
}

registerKind("morphology", {
  labels: ["map", "filtered map (output, same size)"],
  panel: mapPanel, window: windowOfStep, zoom: morphologyZoom, legend: sharedLegend,
  caption: (meta) => ` (window ${meta.ksize[0]}\u00d7${meta.ksize[1]})`,
});
