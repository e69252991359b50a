// ------------------------------------------------------------------ binding an animated kind to the model

import { style } from "./arith.js";
import { h, showModelError } from "./dom.js";
import { createPainter, loadScene } from "./painter.js";
import { bindControls, createPlayer } from "./player.js";
import { buildView } from "./view.js";

// A dropdown's text as the value Python expects: "auto" -> null, "2" -> 2, "2,3" -> [2, 3].
function optionValue(text) {
  if (text === "auto") return null;
  if (/^\d+$/.test(text)) return Number(text);
  if (/^\d+,\d+$/.test(text)) return text.split(",").map(Number);
  return text;
}

// The dropdowns hold what Python offers now (meta.options) and show its values (meta.params); the
// kernel's text box is rewritten only when `withText` (not while the learner's refused text is in it).
function syncControls(view, meta, withText) {
  const options = meta.options || {};
  const params = meta.params || {};
  for (const [name, { label, select }] of Object.entries(view.selects)) {
    const offered = options[name] || [];
    if (select.options.length !== offered.length || [...select.options].some((o, i) => o.value !== offered[i])) {
      select.replaceChildren(...offered.map((o) => {
        const opt = h("option", "", o === "auto" ? "same as window" : o);
        opt.value = o;
        return opt;
      }));
    }
    select.value = params[name] ?? "";
    label.hidden = offered.length < 2;
  }
  if (view.kernelText && withText) view.kernelText.value = params.kernel_text || "";
}

// The dropdowns and the kernel's text box -> {type: "set", name, value} messages to Python.
function bindParameters(model, view, listen) {
  const request = (name, value) => model.send({ type: "set", name, value });
  for (const [name, { select }] of Object.entries(view.selects)) {
    listen(select, "change", () => {
      if (name === "kernel" && select.value === "custom") view.kernelText.focus();
      else request(name, optionValue(select.value));
    });
  }
  if (!view.kernelText) return;
  listen(view.apply, "click", () => request("kernel", view.kernelText.value));
  listen(view.kernelText, "keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      request("kernel", view.kernelText.value);
    }
  });
}

// The player's state from the model and back: `step`, `playing` and `speed` (written only when the
// user settles on a state); the speed slider -> the `speed` trait.
export function bindPlayer(model, view, player, listen, onModel) {
  onModel("change:step", () => player.jump(Number(model.get("step"))));
  onModel("change:playing", () => player.setPlaying(Boolean(model.get("playing")), false));
  onModel("change:speed", () => player.setSpeed(Number(model.get("speed")) || player.speed));
  listen(view.speedInput, "change", () => {
    model.set("speed", player.speed);
    model.save_changes();
  });
}

// The commit function of a player: writes its settled fields to the model at once.
export const committer = (model) => (fields) => {
  for (const [name, value] of Object.entries(fields)) model.set(name, value);
  model.save_changes();
};

// One call of `fn` after several traits changed together (a new scene sets them all).
export function batched(fn) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => {
      pending = false;
      fn();
    });
  };
}

// Traits -> scene, player and error line; parameter controls -> {type: "set"} messages.
function bindModel(model, view, painter, player, listen, onModel, isDisposed) {
  const meta = () => model.get("meta") || {};
  function rebuild() {
    if (isDisposed()) return;
    const scene = loadScene(model);
    if (!scene) return;
    painter.setScene(scene);
    syncControls(view, scene.meta, true);
    player.restart(Number(model.get("step")) || 0);
    view.root.dataset.ready = "true";
  }
  bindParameters(model, view, listen);
  bindPlayer(model, view, player, listen, onModel);
  const schedule = batched(rebuild);
  for (const name of ["meta", "input_data", "output_data", "kernel_data", "parts_data"]) {
    onModel(`change:${name}`, schedule);
  }
  onModel("change:error", () => showModelError(model, view.error));
  onModel("msg:custom", (msg) => {
    if (msg && msg.type === "ack") {
      syncControls(view, meta(), Boolean(msg.ok));
      showModelError(model, view.error);
    }
  });
  player.setSpeed(Number(model.get("speed")) || 10);
  showModelError(model, view.error);
  rebuild();
  if (model.get("playing")) player.setPlaying(true, false);
}

// An animated kind: its view on the shared painter and player, bound to the model. Returns the cleanup.
export function renderAnimated({ model, el }, spec, listen, onModel) {
  let disposed = false;
  const view = buildView(spec, model.get("meta") || {}, style(model.get("meta")));
  el.appendChild(view.root);
  const painter = createPainter(view, spec);
  const player = createPlayer(view, painter, committer(model));
  bindControls(view, painter, player, listen);
  if (spec.bind) spec.bind(model, view, listen, onModel);
  bindModel(model, view, painter, player, listen, onModel, () => disposed);
  return () => {
    disposed = true;
    player.dispose();
    painter.dispose();
    view.root.remove();
  };
}
