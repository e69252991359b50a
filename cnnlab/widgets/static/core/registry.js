// The kinds the page can draw. Each file of kinds/ registers its kind here, under the name Python's
// widget class has (its `kind` trait), with what that kind draws:
//
// * an animated kind on the shared painter and player (convolution, pooling, ...):
//     labels: [input, output]        the two panels' captions
//     panel(S) -> {rows, cols, rgba} the input picture at one pixel per cell
//     window(S, step) -> [top, left, height, width] in panel cells
//     zoom(S, step, ui)              fills the numbers panel
//     legend(view, S)                the colour keys (outputLegend, sharedLegend or inputLegend)
//     and optionally decorate(S, step, ctx, g), caption(meta), scaleUnder: "output",
//     options(meta), extend(view, st) and bind(model, view, listen, onModel);
// * a kind with a view of its own (draw, iou, nms, receptive):
//     render({model, el}, listen, onModel) -> cleanup
//
// Python sends `kind`; a kind nobody registered shows an error line (render.js), never another kind.

const KINDS = new Map();

export function registerKind(name, spec) {
  if (KINDS.has(name)) throw new Error(`cnnlab: the kind ${name} is registered twice`);
  KINDS.set(name, Object.freeze({ ...spec, name }));
}

export function kindSpec(name) {
  return KINDS.get(name) || null;
}

// The registered kinds, sorted (the tests compare them with Python's).
export function kindNames() {
  return [...KINDS.keys()].sort();
}
