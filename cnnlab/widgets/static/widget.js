// cnnlab widgets: the entry of the front end. Python (cnnlab/widgets/_front.py) joins this file, the
// kind-agnostic core/ and one file per kind in kinds/ into the one ES module anywidget loads: no
// build step, no network. Each file is an ES module of its own; the join keeps their code in the
// order of their imports and drops the import lines (the names are then in one scope).
//
// Python computes every number (cnnlab.ops) and sends the arrays once as binary buffers, with the
// colours and sizes to draw them in (`meta.style`); the page only draws them and animates the steps
// with requestAnimationFrame. It writes `step` / `playing` / `speed` back to the model only when the
// user pauses, steps, scrubs or changes the speed, never once per frame. Parameter controls send
// {type: "set", name, value} to Python, which recomputes and answers with new arrays (or sets
// `error`) and an {type: "ack", ok} message.
//
//   core/arith.js     style, toRGB, decodeArray, fmt, weightText, dotProduct, slidingWindow, stepCell
//   core/dom.js       DOM builders, the coloured result box, outlines, legends, overlays, the error line
//   core/registry.js  registerKind / kindSpec: what each kind draws
//   core/view.js      the DOM of an animated widget: panels, transport and parameter controls
//   core/painter.js   draws a scene of an animated kind and one step of it
//   core/player.js    play / pause / step / scrub / speed, the animation loop, the buttons and keys
//   core/keys.js      a presenter's clicker: keys go to the widget in view when nothing has focus
//   core/model.js     traits and messages of an animated kind: model -> scene, controls -> "set"
//   core/photo.js     the photo panel of the box kinds (iou, nms)
//   kinds/<kind>.js   one per kind, named as Python's kind: what it draws, registered with registerKind
//   widget.js         render: the kind's view, or an error line for a kind the page does not know

import { errorLine } from "./core/dom.js";
import { renderAnimated } from "./core/model.js";
import { kindSpec } from "./core/registry.js";
export { kindNames } from "./core/registry.js";

// What a page shows for a kind it has no view for: one line saying so (never another kind's view).
function renderUnknown(el, kind) {
  const root = document.createElement("div");
  root.className = "cnnlab-widget cnnlab-unknown";
  Object.assign(root.dataset, { kind: String(kind), ready: "true" });
  const error = errorLine();
  error.textContent = `This page cannot draw a widget of kind "${kind}": update cnnlab and restart the kernel.`;
  error.hidden = false;
  root.append(error);
  el.appendChild(root);
  return () => root.remove();
}

function render({ model, el }) {
  const abort = new AbortController();
  const listen = (target, type, fn) => target.addEventListener(type, fn, { signal: abort.signal });
  listen.signal = abort.signal;   // what else ends with the widget (its place in the page-wide keys)
  const modelHandlers = [];
  const onModel = (name, fn) => { model.on(name, fn); modelHandlers.push([name, fn]); };
  const kind = model.get("kind");
  const spec = kindSpec(kind);
  let remove;
  if (!spec) remove = renderUnknown(el, kind);
  else if (spec.render) remove = spec.render({ model, el }, listen, onModel);
  else remove = renderAnimated({ model, el }, spec, listen, onModel);
  return () => {
    abort.abort();
    for (const [name, fn] of modelHandlers) model.off(name, fn);
    remove();
  };
}

export default { render };
