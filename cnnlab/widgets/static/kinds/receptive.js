// The receptive kind: a digit, the maps of a trained network up to a deeper layer, and the block of
// each map one cell of the last depends on. Python computes every number (colours, blocks, the
// caption); the page draws them and writes the clicked cell or the picked channel back. Python: receptive.py.

import { decodeArray } from "../core/arith.js";
import { h, showModelError } from "../core/dom.js";
import { registerKind } from "../core/registry.js";

/** A colour faded towards white as Python's ``dimmed`` does it. */
function fade(c, dim) {
  return Math.floor(c + (255 - c) * dim + 0.5);
}

/** Draw one panel: cells outside ``span`` faded, the block outlined. */
export function drawPanel(canvas, wire, span, scale, dim, ring) {
  const [h, w] = wire.shape;
  const rgb = decodeArray(wire).data;
  const small = new ImageData(w, h);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const inside = r >= span.rows[0] && r < span.rows[1] && c >= span.cols[0] && c < span.cols[1];
      const i = r * w + c;
      for (let k = 0; k < 3; k++) {
        const value = rgb[3 * i + k];
        small.data[4 * i + k] = inside ? value : fade(value, dim);
      }
      small.data[4 * i + 3] = 255;
    }
  }
  canvas.width = w * scale;
  canvas.height = h * scale;
  const ctx = canvas.getContext("2d");
  const buffer = document.createElement("canvas");
  buffer.width = w;
  buffer.height = h;
  buffer.getContext("2d").putImageData(small, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(buffer, 0, 0, w * scale, h * scale);
  const line = Math.max(2, Math.floor(scale / 4));
  ctx.strokeStyle = `rgb(${ring.join(",")})`;
  ctx.lineWidth = line;
  ctx.strokeRect(span.cols[0] * scale + line / 2, span.rows[0] * scale + line / 2,
                 (span.cols[1] - span.cols[0]) * scale - line, (span.rows[1] - span.rows[0]) * scale - line);
  canvas.dataset.span = [span.rows[0], span.rows[1], span.cols[0], span.cols[1]].join(",");
  canvas.dataset.scale = String(scale);
}

// The header (title, channel menu), the panels and the lines under them.
function buildReceptiveView() {
  const root = h("div", "cnnlab-widget cnnlab-receptive cnnlab-rf");
  root.dataset.kind = "receptive";
  root.tabIndex = 0;
  const header = h("div", "cnnlab-rf-header");
  const title = h("span", "cnnlab-rf-title");
  const label = h("label", "", "channel ");
  const select = h("select", "cnnlab-rf-channel");
  label.append(select);
  header.append(title, label);
  const panels = h("div", "cnnlab-rf-panels");
  const caption = h("p", "cnnlab-rf-caption");
  const error = h("p", "cnnlab-error");
  root.append(header, panels, caption, error);
  return { root, title, select, panels, caption, error, canvases: [], layout: "" };
}

// One canvas per map (rebuilt only when the maps change), the last one clickable.
function buildPanels(view, meta, onClick) {
  const key = JSON.stringify([meta.titles, meta.shapes]);
  if (key === view.layout) return;
  view.layout = key;
  view.panels.replaceChildren();
  view.canvases = meta.titles.map((text, i) => {
    if (i > 0) view.panels.append(h("span", "cnnlab-rf-arrow", "\u2192"));
    const fig = h("figure");
    const canvas = h("canvas", i === meta.titles.length - 1 ? "cnnlab-rf-panel cnnlab-rf-target" : "cnnlab-rf-panel");
    canvas.dataset.index = String(i);
    canvas.dataset.name = meta.names[i];
    fig.append(h("figcaption", "", text), canvas);
    view.panels.append(fig);
    return canvas;
  });
  view.canvases[view.canvases.length - 1].addEventListener("click", onClick);
  const last = meta.names[meta.names.length - 1];
  view.title.textContent = `Click a cell of ${last}: which pixels does it see?`;
  view.select.replaceChildren(...Array.from({ length: meta.channels[meta.channels.length - 1] },
    (_, k) => new Option(`${k}`, `${k}`)));
}

// CSS pixels per panel: as large as the widget's width allows (at most twice meta.panel_px),
// never below meta.panel_px, which fits four panels on a 1280x720 projector at 150 % zoom.
function panelSize(root, meta) {
  const n = meta.names.length;
  const free = root.clientWidth - 24 - (n - 1) * 34;
  return free > 0 ? Math.max(meta.panel_px, Math.min(2 * meta.panel_px, Math.floor(free / n))) : meta.panel_px;
}

function drawReceptive(view, model) {
  const meta = model.get("meta");
  const wires = model.get("panels");
  const spans = model.get("span_data");
  const px = panelSize(view.root, meta);
  const figcaptions = view.panels.querySelectorAll("figcaption");
  view.canvases.forEach((canvas, i) => {
    const [hh, w] = wires[i].shape;
    drawPanel(canvas, wires[i], spans[i], Math.max(1, Math.floor(px / Math.max(hh, w))), meta.dim, meta.style.window_rgb);
    figcaptions[i].textContent = meta.titles[i];
  });
  const cell = spans[spans.length - 1];              // the cell Python computed the blocks for
  view.root.dataset.cell = `${cell.rows[0]},${cell.cols[0]}`;
  view.root.dataset.patch = view.canvases[0].dataset.span;
  view.select.value = String(model.get("channel"));
  view.caption.textContent = model.get("caption");
  showModelError(model, view.error);
  view.root.dataset.ready = "true";
}

function renderReceptive({ model, el }, listen, onModel) {
  const view = buildReceptiveView();
  el.append(view.root);
  const lastShape = () => model.get("panels")[view.canvases.length - 1].shape;

  function choose(row, col) {
    const [hh, w] = lastShape();
    if (row < 0 || col < 0 || row >= hh || col >= w) return;
    model.set("cell", [row, col]);
    model.save_changes();
  }

  function onClick(event) {
    const box = event.currentTarget.getBoundingClientRect();
    const [hh, w] = lastShape();
    const col = Math.floor(((event.clientX - box.left) / box.width) * w);
    const row = Math.floor(((event.clientY - box.top) / box.height) * hh);
    choose(Math.min(row, hh - 1), Math.min(col, w - 1));
  }

  const draw = () => {
    buildPanels(view, model.get("meta"), onClick);
    drawReceptive(view, model);
  };
  for (const name of ["meta", "panels", "span_data", "cell", "channel", "caption", "error"]) onModel(`change:${name}`, draw);
  listen(view.root, "keydown", (event) => {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const cell = model.get("cell");
    choose(cell[0] + move[0], cell[1] + move[1]);
  });
  listen(view.select, "change", () => {
    model.set("channel", Number(view.select.value));
    model.save_changes();
  });
  draw();
  let width = view.root.clientWidth;
  const resized = new ResizeObserver(() => {
    if (view.root.clientWidth !== width) {
      width = view.root.clientWidth;
      draw();
    }
  });
  resized.observe(view.root);
  return () => {
    resized.disconnect();
    view.root.remove();
  };
}

registerKind("receptive", { render: renderReceptive });
