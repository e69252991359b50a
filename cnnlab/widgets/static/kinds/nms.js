// The nms kind: non-maximum suppression, one decision per step, highest score first; the transport
// controls and the player are the animated kinds'. Python: nms.py.

import { cssColor, decodeArray, fmt, style } from "../core/arith.js";
import { errorLine, h, outline, showModelError } from "../core/dom.js";
import { batched, bindPlayer, committer } from "../core/model.js";
import { boxLabel, drawPhoto, photoPanel } from "../core/photo.js";
import { bindTransport, createPlayer } from "../core/player.js";
import { registerKind } from "../core/registry.js";
import { transportControls } from "../core/view.js";

function buildNMSView(st) {
  const root = h("div", "cnnlab-widget cnnlab-nms");
  root.tabIndex = 0;
  Object.assign(root.dataset, { kind: "nms", step: "0", steps: "0", frames: "0", playing: "false", ready: "false" });
  const header = h("div", "cnnlab-header");
  const title = h("span", "cnnlab-title");
  const describe = h("span", "cnnlab-describe", "highest score first: keep a box unless it overlaps a kept box too much");
  header.append(title, describe);
  const transport = transportControls(st);
  const threshold = h("input", "cnnlab-threshold");
  Object.assign(threshold, { type: "range", min: "0", max: "1", step: "0.05" });
  threshold.setAttribute("aria-label", "IoU threshold");
  const thresholdText = h("span", "cnnlab-readout cnnlab-threshold-text");
  const thresholdLabel = h("label", "", "IoU threshold");
  thresholdLabel.append(threshold, thresholdText);
  const toolbar = h("div", "cnnlab-toolbar");
  toolbar.append(transport.controls, thresholdLabel);
  const photo = photoPanel("boxes on the photo");
  const side = h("div", "cnnlab-zoom-panel cnnlab-nms-panel");
  const position = h("div", "cnnlab-position");
  const decision = h("div", "cnnlab-nms-decision");
  const keptLine = h("div", "cnnlab-nms-kept");
  const key = h("div", "cnnlab-nms-key");
  const stats = h("div", "cnnlab-stats");
  side.append(position, decision, keptLine, key, stats);
  const main = h("div", "cnnlab-main");
  main.append(photo.fig, side);
  const error = errorLine();
  root.append(header, toolbar, error, main);
  return { root, title, photo, position, decision, keptLine, key, stats, error, threshold,
    thresholdText, ...transport };
}

function nmsKey(node, colors) {
  const item = (rgb, text) => {
    const span = h("span", "cnnlab-nms-key-item");
    const swatch = h("span", "cnnlab-nms-swatch");
    swatch.style.borderColor = cssColor(rgb);
    span.append(swatch, text);
    return span;
  };
  node.replaceChildren(item(colors.current, "being decided"), item(colors.kept, "kept"),
    item(colors.removed, "removed (IoU with the box that removed it)"), item(colors.pending, "not decided yet"));
}

// box -> 0 pending, 1 kept, 2 removed (with the IoU that removed it) after decision s
function nmsStates(S, s) {
  const state = new Uint8Array(S.steps);
  const removedBy = new Float32Array(S.steps);
  const kept = [];
  for (let k = 0; k <= s; k++) {
    const [index, isKept, , iou] = S.decisions.data.subarray(k * 4, k * 4 + 4);
    state[index] = isKept ? 1 : 2;
    removedBy[index] = iou;
    if (isKept) kept.push(index);
  }
  return { state, removedBy, kept };
}

function drawNMSBoxes(S, photo, s, { state, removedBy }) {
  if (!photo.begin()) return;
  const { ctx } = photo;
  const colors = S.meta.colors;
  const box = (i) => Array.from(S.boxes.data.subarray(i * 5, i * 5 + 4));
  const order = [0, 2, 1];   // pending under removed under kept
  for (const which of order) {
    for (let i = 0; i < S.steps; i++) {
      if (state[i] !== which) continue;
      const r = photo.rect(box(i));
      const rgb = which === 1 ? colors.kept : which === 2 ? colors.removed : colors.pending;
      outline(ctx, r, 0, which === 0 ? 1.5 : 2.5, cssColor(rgb, which === 0 ? 0.9 : 1));
      if (which === 2) boxLabel(ctx, removedBy[i].toFixed(2), r[0] + 2, r[1] + 2, rgb, 12);
    }
  }
  const current = S.decisions.data[s * 4];
  const r = photo.rect(box(current));
  outline(ctx, r, 3, 4, cssColor(colors.current));
  outline(ctx, r, 0, 3, cssColor(state[current] === 1 ? colors.kept : colors.removed));
  if (state[current] === 2) boxLabel(ctx, `IoU ${removedBy[current].toFixed(2)}`, r[0] + 2, r[1] + 2, colors.removed);
}

// The words of decision s: which box, and why it is kept or removed.
function describeDecision(view, S, s, kept) {
  const [index, isKept, by, iou] = S.decisions.data.subarray(s * 4, s * 4 + 4);
  const score = S.boxes.data[index * 5 + 4];
  const t = fmt(S.meta.iou_threshold);
  view.position.textContent = `step ${s + 1} of ${S.steps}: box ${index} (score ${fmt(score)})`;
  let text;
  if (!isKept) text = `overlaps kept box ${by} by IoU ${iou.toFixed(2)} > ${t}: removed`;
  else if (kept.length > 1) text = `overlaps the kept boxes by at most IoU ${iou.toFixed(2)} \u2264 ${t}: kept`;
  else text = "has the highest score: kept";
  view.decision.textContent = text;
  view.decision.className = `cnnlab-nms-decision ${isKept ? "cnnlab-nms-is-kept" : "cnnlab-nms-is-removed"}`;
  return index;
}

// The painter of the NMS widget: the photo once per scene, the boxes' states at any step.
function createNMSPainter(view) {
  const { photo } = view;
  let S = null;
  let shown = 0;

  function setScene(scene) {
    S = scene;
    const { meta } = S;
    photo.setMeta(meta);
    drawPhoto(photo.canvas, S.photoWire);
    view.title.textContent = meta.title || "";
    view.root.dataset.steps = String(S.steps);
    view.root.dataset.threshold = String(meta.iou_threshold);
    view.scrub.max = String(S.steps - 1);
    view.threshold.value = String(meta.iou_threshold);
    view.thresholdText.textContent = fmt(meta.iou_threshold);
    view.stats.textContent = `${meta.kept.length} of ${S.steps} boxes kept at IoU threshold ${fmt(meta.iou_threshold)}`;
    nmsKey(view.key, meta.colors);
    photo.refit();
  }

  function show(s) {
    if (!S) return;
    shown = s;
    const now = nmsStates(S, s);
    drawNMSBoxes(S, photo, s, now);
    const index = describeDecision(view, S, s, now.kept);
    view.keptLine.textContent = `kept so far: ${now.kept.join(", ")}`;
    view.readout.textContent = `${s + 1} / ${S.steps}`;
    view.scrub.value = String(s);
    Object.assign(view.root.dataset, { step: String(s), kept: now.kept.join(","), current: String(index) });
  }

  const resized = new ResizeObserver(() => {
    if (!S) return;
    photo.refit();
    show(shown);
  });
  resized.observe(photo.canvas);
  return { setScene, show, steps: () => (S ? S.steps : 0), dispose: () => { resized.disconnect(); S = null; } };
}

function renderNMS({ model, el }, listen, onModel) {
  const view = buildNMSView(style(model.get("meta")));
  el.appendChild(view.root);
  const painter = createNMSPainter(view);
  const player = createPlayer(view, painter, committer(model));
  bindTransport(view, painter, player, listen);
  bindPlayer(model, view, player, listen, onModel);

  function rebuild() {
    const meta = model.get("meta");
    const decisions = decodeArray(model.get("output_data"));
    const boxes = decodeArray(model.get("boxes_data"));
    const photoWire = model.get("input_data");
    if (!meta || !decisions || !boxes || !photoWire) return;
    painter.setScene({ meta, decisions, boxes, photoWire, steps: meta.steps });
    player.restart(Number(model.get("step")) || 0);
    view.root.dataset.ready = "true";
  }
  const schedule = batched(rebuild);
  for (const name of ["meta", "input_data", "output_data", "boxes_data"]) onModel(`change:${name}`, schedule);
  onModel("change:error", () => showModelError(model, view.error));
  onModel("msg:custom", (msg) => {
    if (msg && msg.type === "ack") {
      showModelError(model, view.error);
      const meta = model.get("meta") || {};
      view.threshold.value = String(meta.iou_threshold);   // a refused value goes back
      view.thresholdText.textContent = fmt(meta.iou_threshold);
    }
  });
  listen(view.threshold, "input", () => { view.thresholdText.textContent = fmt(Number(view.threshold.value)); });
  listen(view.threshold, "change", () => model.send({ type: "set", name: "iou_threshold", value: Number(view.threshold.value) }));
  player.setSpeed(Number(model.get("speed")) || 1);
  showModelError(model, view.error);
  rebuild();
  if (model.get("playing")) player.setPlaying(true, false);
  return () => {
    player.dispose();
    painter.dispose();
    view.root.remove();
  };
}

registerKind("nms", { render: renderNMS });
