// The activation kind: ReLU and its relatives, one cell at a time, every activation compared on it.
// Python: activation.py.

import { fmt, paren, stepCell } from "../core/arith.js";
import { figure, h, resultBox } from "../core/dom.js";
import { mapPanel, sharedLegend, windowOfStep } from "../core/painter.js";
import { registerKind } from "../core/registry.js";

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


registerKind("activation", {
  labels: ["before", "after (output)"],
  panel: mapPanel, window: windowOfStep, zoom: activationZoom, legend: sharedLegend,
  caption: (meta) => (meta.scale_text ? ` (map \u00d7 ${meta.scale_text})` : ""),   // the input, scaled
});
