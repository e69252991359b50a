// The receptive-field widget's view: one canvas per map, the block a cell depends on outlined.
// Python computes every number (colours, blocks, the caption); this module only draws them and
// writes the clicked cell or the picked channel back to the model. No build step, no imports.

const CSS = `
.cnnlab-rf { font-family: var(--jp-ui-font-family, system-ui, sans-serif); color: var(--jp-ui-font-color1, #1f1f1f);
  background: var(--jp-layout-color1, #fff); padding: 8px 10px; border: 1px solid var(--jp-border-color1, #bdbdbd);
  border-radius: 8px; max-width: 100%; box-sizing: border-box; }
.cnnlab-rf:focus-visible { outline: 3px solid #1565c0; outline-offset: 2px; }
.cnnlab-rf-header { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 16px; margin-bottom: 6px; }
.cnnlab-rf-title { font-size: 18px; font-weight: 700; }
.cnnlab-rf-header label { display: inline-flex; align-items: center; gap: 6px; font-size: 16px; }
.cnnlab-rf-header select { font: inherit; font-size: 16px; min-height: 32px; }
.cnnlab-rf-panels { display: flex; flex-wrap: wrap; gap: 6px; align-items: flex-end; }
.cnnlab-rf-panels figure { margin: 0; display: flex; flex-direction: column; align-items: center; gap: 2px; }
.cnnlab-rf-panels figcaption { font-size: 14px; white-space: nowrap; }
.cnnlab-rf-panels canvas { image-rendering: pixelated; border: 1px solid var(--jp-border-color1, #bdbdbd); display: block; }
.cnnlab-rf-panels canvas.cnnlab-rf-target { cursor: crosshair; }
.cnnlab-rf-arrow { font-size: 18px; color: #4a4a4a; align-self: center; }
.cnnlab-rf-caption { font-size: 16px; margin: 6px 0 0; font-variant-numeric: tabular-nums; }
.cnnlab-rf .cnnlab-error { color: #b71c1c; font-size: 15px; margin: 4px 0 0; }
`;

/** The bytes of an array trait ``{shape, dtype, buffer}`` as a Uint8Array. */
function bytesOf(wire) {
  const b = wire.buffer;
  if (b instanceof DataView) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** A colour faded towards white as Python's ``dimmed`` does it. */
function fade(c, dim) {
  return Math.floor(c + (255 - c) * dim + 0.5);
}

/** Draw one panel: cells outside ``span`` faded, the block outlined. */
export function drawPanel(canvas, wire, span, scale, dim, outline) {
  const [h, w] = wire.shape;
  const rgb = bytesOf(wire);
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
  ctx.strokeStyle = `rgb(${outline.join(",")})`;
  ctx.lineWidth = line;
  ctx.strokeRect(span.cols[0] * scale + line / 2, span.rows[0] * scale + line / 2,
                 (span.cols[1] - span.cols[0]) * scale - line, (span.rows[1] - span.rows[0]) * scale - line);
  canvas.dataset.span = [span.rows[0], span.rows[1], span.cols[0], span.cols[1]].join(",");
  canvas.dataset.scale = String(scale);
}

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function render({ model, el }) {
  const root = element("div", "cnnlab-widget cnnlab-receptive cnnlab-rf");
  root.dataset.kind = "receptive";
  root.tabIndex = 0;
  root.append(element("style", "", CSS));
  const header = element("div", "cnnlab-rf-header");
  const title = element("span", "cnnlab-rf-title");
  const label = element("label", "", "channel ");
  const select = element("select", "cnnlab-rf-channel");
  label.append(select);
  header.append(title, label);
  const panels = element("div", "cnnlab-rf-panels");
  const caption = element("p", "cnnlab-rf-caption");
  const error = element("p", "cnnlab-error");
  root.append(header, panels, caption, error);
  el.append(root);

  let canvases = [];
  let layout = "";

  function build() {
    const meta = model.get("meta");
    const key = JSON.stringify([meta.titles, meta.shapes]);
    if (key === layout) return;
    layout = key;
    panels.replaceChildren();
    canvases = meta.titles.map((text, i) => {
      if (i > 0) panels.append(element("span", "cnnlab-rf-arrow", "\u2192"));
      const figure = element("figure");
      const canvas = element("canvas", i === meta.titles.length - 1 ? "cnnlab-rf-panel cnnlab-rf-target"
                                                                    : "cnnlab-rf-panel");
      canvas.dataset.index = String(i);
      canvas.dataset.name = meta.names[i];
      figure.append(element("figcaption", "", text), canvas);
      panels.append(figure);
      return canvas;
    });
    canvases[canvases.length - 1].addEventListener("click", onClick);
    const last = meta.names[meta.names.length - 1];
    title.textContent = `Click a cell of ${last}: which pixels does it see?`;
    select.replaceChildren(...Array.from({ length: meta.channels[meta.channels.length - 1] },
                                         (_, k) => new Option(`${k}`, `${k}`)));
  }

  // CSS pixels per panel: as large as the widget's width allows (at most twice meta.panel_px),
  // never below meta.panel_px, which fits four panels on a 1280x720 projector at 150 % zoom.
  function panelSize(meta) {
    const n = meta.names.length;
    const free = root.clientWidth - 24 - (n - 1) * 34;
    return free > 0 ? Math.max(meta.panel_px, Math.min(2 * meta.panel_px, Math.floor(free / n)))
                    : meta.panel_px;
  }

  function draw() {
    build();
    const meta = model.get("meta");
    const wires = model.get("panels");
    const spans = model.get("span_data");
    const px = panelSize(meta);
    const figcaptions = panels.querySelectorAll("figcaption");
    canvases.forEach((canvas, i) => {
      const [h, w] = wires[i].shape;
      drawPanel(canvas, wires[i], spans[i], Math.max(1, Math.floor(px / Math.max(h, w))), meta.dim,
                meta.style.window_rgb);
      figcaptions[i].textContent = meta.titles[i];
    });
    const cell = spans[spans.length - 1];              // the cell Python computed the blocks for
    root.dataset.cell = `${cell.rows[0]},${cell.cols[0]}`;
    root.dataset.patch = canvases[0].dataset.span;
    select.value = String(model.get("channel"));
    caption.textContent = model.get("caption");
    const message = model.get("error");
    error.textContent = message;
    error.hidden = !message;
    root.dataset.ready = "true";
  }

  function choose(row, col) {
    const [h, w] = model.get("panels")[canvases.length - 1].shape;
    if (row < 0 || col < 0 || row >= h || col >= w) return;
    model.set("cell", [row, col]);
    model.save_changes();
  }

  function onClick(event) {
    const canvas = event.currentTarget;
    const box = canvas.getBoundingClientRect();
    const [h, w] = model.get("panels")[canvases.length - 1].shape;
    const col = Math.floor(((event.clientX - box.left) / box.width) * w);
    const row = Math.floor(((event.clientY - box.top) / box.height) * h);
    choose(Math.min(row, h - 1), Math.min(col, w - 1));
  }

  function onKey(event) {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const cell = model.get("cell");
    choose(cell[0] + move[0], cell[1] + move[1]);
  }

  function onSelect() {
    model.set("channel", Number(select.value));
    model.save_changes();
  }

  const events = "change:meta change:panels change:span_data change:cell change:channel change:caption change:error";
  model.on(events, draw);
  root.addEventListener("keydown", onKey);
  select.addEventListener("change", onSelect);
  draw();
  let width = root.clientWidth;
  const resized = new ResizeObserver(() => {
    if (root.clientWidth !== width) {
      width = root.clientWidth;
      draw();
    }
  });
  resized.observe(root);
  return () => {
    resized.disconnect();
    model.off(events, draw);
    root.removeEventListener("keydown", onKey);
    select.removeEventListener("change", onSelect);
  };
}

export default { render };
