// ------------------------------------------------------------------ the photo panel of the box kinds (iou, nms)

import { cssColor, decodeArray } from "./arith.js";
import { beginOverlay, fitOverlay, h } from "./dom.js";
import { canvasPanel } from "./view.js";

// Boxes are [x_min, y_min, x_max, y_max] in pixels of the photo as given; the photo arrives
// downscaled (meta.shown_size) and is drawn on a canvas of that size, the boxes on an overlay.
// The photo (uint8, gray or RGB) on its canvas, at one canvas pixel per photo pixel.
export function drawPhoto(canvas, wire) {
  const photo = decodeArray(wire);
  if (!photo) return false;
  const [H, W] = photo.shape;
  const C = photo.shape.length === 3 ? photo.shape[2] : 1;
  const rgba = new Uint8ClampedArray(H * W * 4);
  for (let i = 0; i < H * W; i++) {
    const o = i * 4;
    rgba[o] = photo.data[i * C];
    rgba[o + 1] = photo.data[i * C + (C > 1 ? 1 : 0)];
    rgba[o + 2] = photo.data[i * C + (C > 1 ? 2 : 0)];
    rgba[o + 3] = 255;
  }
  canvas.width = W;
  canvas.height = H;
  canvas.getContext("2d").putImageData(new ImageData(rgba, W, H), 0, 0);
  return true;
}

// The photo panel of a box widget: the canvas, its overlay, and the map from photo pixels to CSS px.
export function photoPanel(label) {
  const panel = canvasPanel("cnnlab-photo", "cnnlab-boxes", label);
  const scaleNote = h("div", "cnnlab-scale-note");
  panel.fig.appendChild(scaleNote);
  let fit = null;
  let meta = null;
  const ctx = panel.overlay.getContext("2d");
  return {
    ...panel,
    ctx,
    // Python's meta: the photo's size for the overlay, and the line saying at what scale it is shown
    setMeta(m) { meta = m; scaleNote.textContent = m.scale_note || ""; },
    refit() { fit = fitOverlay(panel.canvas, panel.overlay); return fit; },
    // [x, y, w, h] in overlay CSS px of a box; null while not laid out
    rect(box) {
      if (!fit || !meta) return null;
      const sx = (meta.shown_size[0] / meta.image_size[0]) * fit.fx;
      const sy = (meta.shown_size[1] / meta.image_size[1]) * fit.fy;
      return [box[0] * sx, box[1] * sy, (box[2] - box[0]) * sx, (box[3] - box[1]) * sy];
    },
    begin() {
      if (!fit) return false;
      beginOverlay(ctx, panel.overlay, fit);
      return true;
    },
    // a pointer event as [x, y] in photo pixels (may lie outside the photo)
    at(event) {
      const r = panel.canvas.getBoundingClientRect();
      return [((event.clientX - r.left) / r.width) * meta.image_size[0], ((event.clientY - r.top) / r.height) * meta.image_size[1]];
    },
    // photo pixels per CSS px, along x and y
    perCss() {
      const r = panel.canvas.getBoundingClientRect();
      return [meta.image_size[0] / r.width, meta.image_size[1] / r.height];
    },
  };
}

export function boxLabel(ctx, text, x, y, rgb, px = 14) {
  ctx.font = `bold ${px}px system-ui, sans-serif`;
  const w = ctx.measureText(text).width + 6;
  ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
  ctx.fillRect(x, y, w, px + 4);
  ctx.fillStyle = cssColor(rgb);
  ctx.fillText(text, x + 3, y + px);
}

