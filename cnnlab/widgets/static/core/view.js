// ------------------------------------------------------------------ the view of an animated kind

import { errorLine, h } from "./dom.js";

// The words of the parameter dropdowns (a kind may add its own: spec.paramLabels).
const LABELS = {
  kernel: "kernel", stride: "stride", padding: "padding", channel: "channel", size: "window",
  mode: "mode", activation: "activation", filter: "filter",
};


export function canvasPanel(canvasClass, overlayClass, label) {
  const fig = h("figure", "cnnlab-panel");
  const caption = h("figcaption", "cnnlab-label");
  const captionText = h("span", "cnnlab-label-text", label);
  caption.appendChild(captionText);
  const stack = h("div", "cnnlab-stack");
  const canvas = h("canvas", canvasClass);
  const overlay = h("canvas", overlayClass);
  overlay.setAttribute("aria-hidden", "true");
  stack.append(canvas, overlay);
  // under the picture: the colour key, then the key of the cells not computed yet and the note on a
  // clipped scale, which wrap to the picture's width rather than widen it
  const keys = h("div", "cnnlab-keys");
  const legend = { bar: h("div", "cnnlab-legend"), note: h("div", "cnnlab-legend-note") };
  const pending = h("div", "cnnlab-pending-key");
  legend.bar.hidden = true;
  legend.note.hidden = true;
  pending.hidden = true;
  keys.append(pending, legend.note);
  fig.append(caption, stack, legend.bar, keys);
  return { fig, caption, captionText, stack, canvas, overlay, legend, pending };
}

export function transportControls(st) {
  const back = h("button", "cnnlab-back", "\u25c0 Step");
  const play = h("button", "cnnlab-play", "\u25b6 Play");
  const forward = h("button", "cnnlab-forward", "Step \u25b6");
  for (const b of [back, play, forward]) b.type = "button";
  back.title = "one step back (\u2190 or PageUp)";
  forward.title = "one step forward (\u2192 or PageDown)";
  play.title = "play / pause (space)";
  play.setAttribute("aria-pressed", "false");
  const scrub = h("input", "cnnlab-scrub");
  Object.assign(scrub, { type: "range", min: "0", max: "0", step: "1", value: "0" });
  scrub.setAttribute("aria-label", "step");
  const readout = h("span", "cnnlab-readout");
  const speedInput = h("input", "cnnlab-speed");
  Object.assign(speedInput, { type: "range", min: "1", max: String(st.max_speed), step: "1" });
  speedInput.setAttribute("aria-label", "speed in steps per second");
  const speedText = h("span", "cnnlab-readout cnnlab-speed-text");
  const scrubLabel = h("label", "cnnlab-scrub-label", "step");
  scrubLabel.append(scrub, readout);
  const speedLabel = h("label", "", "speed");
  speedLabel.append(speedInput, speedText);
  const controls = h("div", "cnnlab-controls");
  controls.append(back, play, forward, scrubLabel, speedLabel);
  return { controls, back, play, forward, scrub, readout, speedInput, speedText };
}

// One dropdown per parameter Python offers (meta.options), and the kernel's text box.
function parameterControls(options, inCaption) {
  const params = h("div", "cnnlab-params");
  const selects = {};
  let kernelText = null;
  let apply = null;
  for (const name of Object.keys(options || {})) {
    const label = h("label", "", LABELS[name] || name);
    const select = h("select", `cnnlab-${name}`);
    label.append(select);
    // the channel choice is about what the input picture shows: it sits in that picture's caption
    if (name === "channel") inCaption.appendChild(label);
    else params.append(label);
    selects[name] = { label, select };
    if (name === "kernel") {
      kernelText = h("input", "cnnlab-kernel-text");
      kernelText.type = "text";
      kernelText.placeholder = "-1 0 1; -2 0 2; -1 0 1";
      kernelText.title = "type the kernel's rows separated by ; (fractions like 1/9 are fine), then Apply";
      kernelText.setAttribute("aria-label", "kernel values, rows separated by ;");
      apply = h("button", "cnnlab-apply", "Apply");
      apply.type = "button";
      params.append(kernelText, apply);
    }
  }
  return { params, selects, kernelText, apply };
}

// The DOM of one widget of an animated kind: title, then the controls (so Play is in view at the
// top), then the canvases and the numbers panel. Returns every node the other parts use.
export function buildView(spec, meta, st) {
  const root = h("div", "cnnlab-widget");
  root.tabIndex = 0;
  Object.assign(root.dataset, { kind: spec.name, step: "0", steps: "0", frames: "0", playing: "false", ready: "false" });
  const header = h("div", "cnnlab-header");
  const title = h("span", "cnnlab-title");
  const describe = h("span", "cnnlab-describe");
  const scaleNote = h("div", "cnnlab-scale-note");
  header.append(title, describe);
  const [inLabel, outLabel] = spec.labels;
  const inPanel = canvasPanel("cnnlab-input", "cnnlab-window", inLabel);
  const outPanel = canvasPanel("cnnlab-output", "cnnlab-marker", outLabel);
  // the scale note sits under the picture it is about: the input, unless the kind says the output
  (spec.scaleUnder === "output" ? outPanel : inPanel).fig.appendChild(scaleNote);
  const ui = {
    position: h("div", "cnnlab-position"), zoom: h("div", "cnnlab-zoom"),
    sum: h("div", "cnnlab-sum"), stats: h("div", "cnnlab-stats"),
  };
  const zoomPanel = h("div", "cnnlab-zoom-panel");
  zoomPanel.append(ui.position, ui.zoom, ui.sum, ui.stats);
  const main = h("div", "cnnlab-main");
  main.append(inPanel.fig, outPanel.fig, zoomPanel);
  const transport = transportControls(st);
  const parameters = parameterControls(spec.options ? spec.options(meta) : meta.options, inPanel.caption);
  const toolbar = h("div", "cnnlab-toolbar");
  toolbar.append(transport.controls, parameters.params);
  const error = errorLine();
  root.append(header, toolbar, error, main);
  const view = { kind: spec.name, root, title, describe, scaleNote, inLabel, inPanel, outPanel, ui, error,
    ...transport, ...parameters };
  return spec.extend ? { ...view, ...spec.extend(view, st) } : view;
}
