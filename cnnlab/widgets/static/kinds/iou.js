// The iou kind: drag two boxes on a photo, read intersection / union = IoU. Python: iou.py.

import { cssColor, fmt } from "../core/arith.js";
import { errorLine, h, outline, showModelError } from "../core/dom.js";
import { boxLabel, drawPhoto, photoPanel } from "../core/photo.js";
import { registerKind } from "../core/registry.js";

const HANDLE_PX = 12;   // CSS px around a corner that grab it for resizing

// Intersection, union and IoU of two boxes: the float64 arithmetic of cnnlab.detection.iou.
export function boxIoU(a, b) {
  const ix = Math.max(Math.min(a[2], b[2]) - Math.max(a[0], b[0]), 0);
  const iy = Math.max(Math.min(a[3], b[3]) - Math.max(a[1], b[1]), 0);
  const intersection = ix * iy;
  const areaA = (a[2] - a[0]) * (a[3] - a[1]);
  const areaB = (b[2] - b[0]) * (b[3] - b[1]);
  const union = areaA + areaB - intersection;
  return { intersection, union, iou: union > 0 ? intersection / union : 0 };
}

// A box dragged by (dx, dy) image pixels: moved whole ("move") or by one corner ("x0y0", "x1y1"...),
// in whole pixels, inside the photo, at least one pixel wide and tall.
export function dragBox(box, how, dx, dy, width, height) {
  const [x0, y0, x1, y1] = box;
  const r = Math.round;
  if (how === "move") {
    const mx = Math.min(Math.max(r(dx), -x0), width - x1);
    const my = Math.min(Math.max(r(dy), -y0), height - y1);
    return [x0 + mx, y0 + my, x1 + mx, y1 + my];
  }
  const out = [x0, y0, x1, y1];
  if (how.includes("x0")) out[0] = Math.min(Math.max(r(x0 + dx), 0), x1 - 1);
  if (how.includes("x1")) out[2] = Math.max(Math.min(r(x1 + dx), width), x0 + 1);
  if (how.includes("y0")) out[1] = Math.min(Math.max(r(y0 + dy), 0), y1 - 1);
  if (how.includes("y1")) out[3] = Math.max(Math.min(r(y1 + dy), height), y0 + 1);
  return out;
}

// an area as Python's caption writes it: whole numbers with thousands separators (13,056), else fmt
const areaText = (x) => (Number.isInteger(x) ? x.toLocaleString("en-US") : fmt(x));
const boxText = (b) => `(${b.map((x) => fmt(x)).join(", ")})`;

function buildIoUView() {
  const root = h("div", "cnnlab-widget cnnlab-iou");
  root.tabIndex = 0;
  Object.assign(root.dataset, { kind: "iou", ready: "false", drags: "0", sent: "0", source: "python" });
  const header = h("div", "cnnlab-header");
  const title = h("span", "cnnlab-title");
  header.append(title, h("span", "cnnlab-describe", "drag a box to move it, drag a corner to resize it"));
  const photo = photoPanel("photo");
  const side = h("div", "cnnlab-zoom-panel cnnlab-iou-panel");
  const boxA = h("div", "cnnlab-iou-box cnnlab-iou-a");
  const boxB = h("div", "cnnlab-iou-box cnnlab-iou-b");
  const formula = h("div", "cnnlab-iou-formula");
  const inter = h("span", "cnnlab-iou-inter");
  const union = h("span", "cnnlab-iou-union");
  const value = h("span", "cnnlab-result cnnlab-iou-value");
  const frac = h("span", "cnnlab-iou-frac");
  frac.append(inter, h("span", "cnnlab-iou-bar"), union);
  formula.append(h("span", "cnnlab-iou-word", "IoU ="), frac, h("span", "cnnlab-op", "="), value);
  const note = h("div", "cnnlab-stats");
  side.append(boxA, boxB, formula, note);
  const main = h("div", "cnnlab-main");
  main.append(photo.fig, side);
  const error = errorLine();
  root.append(header, error, main);
  return { root, title, photo, boxA, boxB, inter, union, value, note, error };
}

// Both boxes, their overlap filled, with corner handles and their letters.
function drawIoUBoxes(photo, meta, boxes) {
  if (!meta || !boxes || !photo.begin()) return;
  const { ctx } = photo;
  const colors = meta.colors;
  const ra = photo.rect(boxes.a);
  const rb = photo.rect(boxes.b);
  const x0 = Math.max(ra[0], rb[0]);
  const y0 = Math.max(ra[1], rb[1]);
  const x1 = Math.min(ra[0] + ra[2], rb[0] + rb[2]);
  const y1 = Math.min(ra[1] + ra[3], rb[1] + rb[3]);
  if (x1 > x0 && y1 > y0) {
    ctx.fillStyle = cssColor(colors.overlap, 0.45);
    ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
  }
  for (const [name, r] of [["a", ra], ["b", rb]]) {
    const rgb = colors[`box_${name}`];
    outline(ctx, r, 0, 3, cssColor(rgb));
    ctx.fillStyle = cssColor(rgb);
    for (const [cx, cy] of [[r[0], r[1]], [r[0] + r[2], r[1]], [r[0], r[1] + r[3]], [r[0] + r[2], r[1] + r[3]]]) {
      ctx.fillRect(cx - 5, cy - 5, 10, 10);
    }
    boxLabel(ctx, name.toUpperCase(), r[0] + 4, r[1] + 4, rgb);
  }
}

// The numbers: the page's while dragging, Python's otherwise.
function showIoUNumbers(view, meta, boxes, fromPython) {
  const r = fromPython ? meta : boxIoU(boxes.a, boxes.b);
  view.inter.textContent = `intersection ${areaText(r.intersection)} px\u00b2`;
  view.union.textContent = `union ${areaText(r.union)} px\u00b2`;
  view.value.textContent = r.iou.toFixed(3);
  view.boxA.textContent = `A ${boxText(boxes.a)}`;
  view.boxB.textContent = `B ${boxText(boxes.b)}`;
  view.boxA.style.color = cssColor(meta.colors.box_a);
  view.boxB.style.color = cssColor(meta.colors.box_b);
  Object.assign(view.root.dataset, {
    iou: String(r.iou), source: fromPython ? "python" : "page", imageSize: meta.image_size.join(","),
    boxA: boxes.a.join(","), boxB: boxes.b.join(","),
  });
  view.note.textContent = fromPython ? "computed in Python by cnnlab.detection.iou" : "computed in the page while you drag";
}

// Which box and which part of it is under the pointer: corners first, then insides (B is on top).
function grabBox(photo, boxes, event) {
  const [px, py] = photo.at(event);
  const [ux, uy] = photo.perCss();
  for (const name of ["b", "a"]) {
    const [x0, y0, x1, y1] = boxes[name];
    for (const [how, cx, cy] of [["x0y0", x0, y0], ["x1y0", x1, y0], ["x0y1", x0, y1], ["x1y1", x1, y1]]) {
      if (Math.abs(px - cx) / ux <= HANDLE_PX && Math.abs(py - cy) / uy <= HANDLE_PX) return { name, how };
    }
  }
  for (const name of ["b", "a"]) {
    const [x0, y0, x1, y1] = boxes[name];
    if (px >= x0 && px <= x1 && py >= y0 && py <= y1) return { name, how: "move" };
  }
  return null;
}

const grabCursor = (hit) => (!hit ? "default" : hit.how === "move" ? "move"
  : (hit.how === "x0y0" || hit.how === "x1y1") ? "nwse-resize" : "nesw-resize");

// Dragging a box or a corner on the photo: `state` holds {meta, boxes, drag}; `changed()` redraws
// during the drag, `dropped(name, box)` is called once it ends with the box moved.
function bindBoxDrag(photo, root, state, listen, changed, dropped) {
  const canvas = photo.canvas;
  let drags = 0;
  listen(canvas, "pointerdown", (event) => {
    if (!state.meta || !state.boxes || (event.button !== undefined && event.button > 0)) return;
    const hit = grabBox(photo, state.boxes, event);
    if (!hit) return;
    event.preventDefault();
    state.drag = { ...hit, start: photo.at(event), from: state.boxes[hit.name].slice() };
    root.dataset.dragging = hit.name;
    try {
      canvas.setPointerCapture(event.pointerId);   // the drag goes on outside the photo
    } catch {
      // a pointer already gone: the drag still follows while over the photo
    }
  });
  listen(canvas, "pointermove", (event) => {
    const { drag, meta, boxes } = state;
    if (!drag) {
      if (meta && boxes) canvas.style.cursor = grabCursor(grabBox(photo, boxes, event));
      return;
    }
    const [px, py] = photo.at(event);
    const [W, H] = meta.image_size;
    boxes[drag.name] = dragBox(drag.from, drag.how, px - drag.start[0], py - drag.start[1], W, H);
    changed();
  });
  const end = (event) => {
    if (!state.drag) return;
    const { name, from } = state.drag;
    state.drag = null;
    delete root.dataset.dragging;
    if (canvas.hasPointerCapture && canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
    drags += 1;
    root.dataset.drags = String(drags);
    const box = state.boxes[name];
    if (box.some((x, i) => x !== from[i])) dropped(name, box);
  };
  listen(canvas, "pointerup", end);
  listen(canvas, "pointercancel", end);
}

function renderIoU({ model, el }, listen, onModel) {
  const view = buildIoUView();
  el.appendChild(view.root);
  const { photo } = view;
  const state = { meta: null, boxes: null, drag: null };   // boxes {a, b}: what is drawn (the page's while dragging)

  // Python's state (after a new scene or an answer): what is shown unless a drag is under way
  function fromModel() {
    const meta = model.get("meta");
    if (!meta || !meta.image_size) return;
    state.meta = meta;
    photo.setMeta(meta);
    view.title.textContent = meta.title || "";
    if (state.drag) return;
    state.boxes = { a: meta.box_a.slice(), b: meta.box_b.slice() };
    photo.refit();
    drawIoUBoxes(photo, meta, state.boxes);
    showIoUNumbers(view, meta, state.boxes, true);
    view.root.dataset.ready = "true";
  }

  bindBoxDrag(photo, view.root, state, listen, () => {
    drawIoUBoxes(photo, state.meta, state.boxes);
    showIoUNumbers(view, state.meta, state.boxes, false);
  }, (name, box) => {
    view.root.dataset.sent = String(Number(view.root.dataset.sent) + 1);
    model.send({ type: "set", name: `box_${name}`, value: box });
  });
  onModel("change:meta", fromModel);
  onModel("change:image_data", () => {
    drawPhoto(photo.canvas, model.get("image_data"));
    fromModel();
  });
  onModel("change:error", () => showModelError(model, view.error));
  onModel("msg:custom", (msg) => {
    if (msg && msg.type === "ack") {
      view.root.dataset.acks = String(Number(view.root.dataset.acks || 0) + 1);
      showModelError(model, view.error);
      fromModel();   // a refused box goes back to Python's last good one
    }
  });
  const resized = new ResizeObserver(() => {
    photo.refit();
    drawIoUBoxes(photo, state.meta, state.boxes);
  });
  resized.observe(photo.canvas);
  drawPhoto(photo.canvas, model.get("image_data"));
  showModelError(model, view.error);
  fromModel();
  return () => {
    resized.disconnect();
    view.root.remove();
  };
}

registerKind("iou", { render: renderIoU });
