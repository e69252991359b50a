// The draw kind: the learner draws a digit, Python's model reads it. Python: draw.py.
//
// The learner draws on a DRAW_PX canvas (white round strokes on black); when a stroke ends the
// drawing goes to Python at half size (2x2 blocks averaged: SENT_PX x SENT_PX uint8, one binary
// buffer), which prepares it as MNIST was, runs the model once and answers with the 28x28 digit it
// read, the three best guesses and the first layer's maps (float32).

import { decodeArray, style, toRGB } from "../core/arith.js";
import { h, panelImage } from "../core/dom.js";
import { batched } from "../core/model.js";
import { registerKind } from "../core/registry.js";

const DRAW_PX = 280;
const SENT_PX = 140;
const BRUSH_PX = 22;

// `gray` (size x size bytes) averaged over factor x factor blocks, rounded: ((size / factor)^2) bytes.
export function areaAverage(gray, size, factor) {
  const n = Math.floor(size / factor);
  const out = new Uint8Array(n * n);
  const area = factor * factor;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let sum = 0;
      for (let i = 0; i < factor; i++) {
        const row = (y * factor + i) * size + x * factor;
        for (let j = 0; j < factor; j++) sum += gray[row + j];
      }
      out[y * n + x] = Math.floor(sum / area + 0.5);
    }
  }
  return out;
}

function buildDrawView(meta) {
  const root = h("div", "cnnlab-widget cnnlab-draw");
  Object.assign(root.dataset, { kind: "draw", ready: "false", strokes: "0", readings: "0" });
  const header = h("div", "cnnlab-header");
  header.append(h("span", "cnnlab-title", meta.title || "Draw a digit"),
    h("span", "cnnlab-describe", `read by ${meta.model || "a digits model"}`));
  const pad = h("canvas", "cnnlab-pad");
  pad.width = DRAW_PX;
  pad.height = DRAW_PX;
  pad.setAttribute("aria-label", "drawing area: draw one digit with the mouse or a finger");
  const clear = h("button", "cnnlab-clear", "Clear");
  clear.type = "button";
  const padFig = h("figure", "cnnlab-panel");
  padFig.append(h("figcaption", "cnnlab-label", "draw one digit here"), pad, clear);
  const digit = h("canvas", "cnnlab-digit");
  digit.width = 28;
  digit.height = 28;
  const digitFig = h("figure", "cnnlab-panel");
  digitFig.append(h("figcaption", "cnnlab-label", "what the network reads (28\u00d728)"), digit);
  const bars = h("div", "cnnlab-bars");
  const barsFig = h("figure", "cnnlab-panel");
  barsFig.append(h("figcaption", "cnnlab-label", "its three best guesses"), bars);
  const maps = h("canvas", "cnnlab-maps");
  const mapsCaption = h("figcaption", "cnnlab-label", "");
  const mapsFig = h("figure", "cnnlab-panel");
  mapsFig.append(mapsCaption, maps);
  mapsFig.hidden = true;   // until a reading brings maps
  const side = h("div", "cnnlab-draw-side");
  side.append(digitFig, barsFig);
  const main = h("div", "cnnlab-main");
  main.append(padFig, side, mapsFig);
  const error = h("div", "cnnlab-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  const stats = h("div", "cnnlab-stats");
  root.append(header, error, main, stats);
  return { root, pad, clear, digit, bars, maps, mapsFig, mapsCaption, error, stats };
}

// Pointer strokes on the pad; `strokeEnded()` after each. Returns {clear, pixels}.
function createPad(pad, listen, strokeEnded) {
  const ctx = pad.getContext("2d", { willReadFrequently: true });
  let drawing = false;
  let last = null;

  function blank() {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, pad.width, pad.height);
  }

  function at(event) {
    const rect = pad.getBoundingClientRect();
    return [((event.clientX - rect.left) * pad.width) / rect.width, ((event.clientY - rect.top) * pad.height) / rect.height];
  }

  function line(from, to) {
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = BRUSH_PX;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
  }

  function end(event) {
    if (!drawing) return;
    drawing = false;
    if (pad.hasPointerCapture && pad.hasPointerCapture(event.pointerId)) pad.releasePointerCapture(event.pointerId);
    strokeEnded();
  }

  listen(pad, "pointerdown", (event) => {
    if (event.button !== undefined && event.button > 0) return;
    event.preventDefault();
    drawing = true;
    last = at(event);
    try {
      pad.setPointerCapture(event.pointerId);   // the stroke goes on outside the pad
    } catch {
      // a pointer already gone: the stroke still draws while it is over the pad
    }
    line(last, last);
  });
  listen(pad, "pointermove", (event) => {
    if (!drawing) return;
    const points = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const e of (points.length ? points : [event])) {
      const p = at(e);
      line(last, p);
      last = p;
    }
  });
  listen(pad, "pointerup", end);
  listen(pad, "pointercancel", end);
  blank();

  return {
    clear: blank,
    pixels() {   // the red channel (the drawing is gray), SENT_PX x SENT_PX after the block average
      const rgba = ctx.getImageData(0, 0, pad.width, pad.height).data;
      const gray = new Uint8Array(pad.width * pad.height);
      for (let i = 0; i < gray.length; i++) gray[i] = rgba[i * 4];
      return areaAverage(gray, DRAW_PX, DRAW_PX / SENT_PX);
    },
  };
}

// The first layer's maps, side by side in rows of four, one colour scale for all (Python's limits).
function drawMaps(view, meta, wire, st) {
  const maps = decodeArray(wire);
  view.mapsFig.hidden = !maps;
  if (!maps) return;
  const [H, W, F] = maps.shape;
  const cols = Math.min(4, F);
  const rows = Math.ceil(F / cols);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of maps.data) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const vmin = Math.min(lo, 0);
  const vmax = hi > vmin ? hi : vmin + 1;
  const panel = panelImage(rows * (H + 1) - 1, cols * (W + 1) - 1, (y, x) => {
    const r = y % (H + 1);
    const c = x % (W + 1);
    const f = Math.floor(y / (H + 1)) * cols + Math.floor(x / (W + 1));
    return r >= H || c >= W || f >= F ? st.gap_rgb : toRGB(maps.data[(r * W + c) * F + f], vmin, vmax, st);
  });
  view.maps.width = panel.cols;
  view.maps.height = panel.rows;
  view.maps.getContext("2d").putImageData(new ImageData(panel.rgba, panel.cols, panel.rows), 0, 0);
  view.mapsCaption.textContent = `the ${F} maps of layer '${meta.layer}' for this digit`;
}

function drawDigit(view, wire) {
  const digit = decodeArray(wire);
  const ctx = view.digit.getContext("2d");
  const rgba = new Uint8ClampedArray(28 * 28 * 4);
  for (let i = 0; i < 28 * 28; i++) {
    const g = digit ? digit.data[i] : 0;
    rgba[i * 4] = g; rgba[i * 4 + 1] = g; rgba[i * 4 + 2] = g; rgba[i * 4 + 3] = 255;
  }
  ctx.putImageData(new ImageData(rgba, 28, 28), 0, 0);
}

function drawBars(view, guesses) {
  view.bars.replaceChildren(...guesses.map(({ digit, p }, i) => {
    const row = h("div", i === 0 ? "cnnlab-bar cnnlab-best" : "cnnlab-bar");
    row.dataset.digit = String(digit);
    row.dataset.p = String(p);
    const fill = h("span", "cnnlab-bar-fill");
    fill.style.width = `${(100 * p).toFixed(1)}%`;
    const track = h("span", "cnnlab-bar-track");
    track.appendChild(fill);
    row.append(h("span", "cnnlab-bar-digit", String(digit)), track, h("span", "cnnlab-readout", `${(100 * p).toFixed(1)} %`));
    return row;
  }));
  if (!guesses.length) view.bars.appendChild(h("div", "cnnlab-readout", "draw a digit: the guesses appear here"));
}

function renderDraw({ model, el }, listen, onModel) {
  const meta = model.get("meta") || {};
  const st = style(meta);
  const view = buildDrawView(meta);
  el.appendChild(view.root);
  let strokeEnd = null;     // performance.now() of the last stroke's end, until its answer is shown
  let strokes = 0;
  let readings = 0;

  const pad = createPad(view.pad, listen, () => {
    strokeEnd = performance.now();
    strokes += 1;
    view.root.dataset.strokes = String(strokes);
    const bytes = pad.pixels();
    model.send({ type: "drawing", shape: [SENT_PX, SENT_PX] }, undefined, [bytes.buffer]);
    view.root.dataset.sendMs = (performance.now() - strokeEnd).toFixed(1);
  });

  // Python's meta as it is now: the layer's name and `loading` change when the model has loaded
  const currentMeta = () => model.get("meta") || meta;

  function update() {
    drawDigit(view, model.get("digit_data"));
    drawBars(view, model.get("guesses") || []);
    drawMaps(view, currentMeta(), model.get("maps_data"), st);
    const text = model.get("error") || "";
    view.error.textContent = text;
    view.error.hidden = !text;
    if (strokeEnd !== null) {
      const ms = performance.now() - strokeEnd;
      strokeEnd = null;
      readings += 1;
      view.root.dataset.latencyMs = ms.toFixed(1);
      view.root.dataset.pythonMs = Number(model.get("python_ms")).toFixed(1);
      view.root.dataset.readings = String(readings);
      view.stats.textContent = `read ${ms.toFixed(0)} ms after the stroke ended (the model: ${Number(model.get("python_ms")).toFixed(0)} ms)`;
    }
  }
  const schedule = batched(update);
  for (const name of ["digit_data", "guesses", "maps_data", "error", "python_ms"]) onModel(`change:${name}`, schedule);
  // While the model loads (the first pad of a session), say so; strokes are read once it is ready.
  const LOADING = "loading the network (a few seconds): draw already, your digit is read when it is ready";
  function showLoading() {
    const loading = Boolean(currentMeta().loading);
    view.root.dataset.loading = String(loading);
    if (loading) view.stats.textContent = LOADING;
    else if (view.stats.textContent === LOADING) view.stats.textContent = "";
  }
  onModel("change:meta", showLoading);
  listen(view.clear, "click", () => {
    pad.clear();
    strokeEnd = null;
    model.send({ type: "clear" });
  });
  update();
  showLoading();
  view.root.dataset.ready = "true";
  return () => view.root.remove();
}


registerKind("draw", { render: renderDraw });
