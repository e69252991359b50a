// ------------------------------------------------------------------ keys for a presenter's clicker

// What each key does: space (or k) plays and pauses; the arrows and PageUp / PageDown (what a
// presenter's clicker sends) step; Home and End go to the first and the last step.
export const PRESENTER_KEYS = {
  " ": "toggle", k: "toggle", ArrowLeft: "back", PageUp: "back", ArrowRight: "forward", PageDown: "forward",
  Home: "first", End: "last",
};

// The action of a key press, or "" (keys held with Ctrl, Alt or Meta belong to the browser).
export function keyAction(event) {
  if (event.ctrlKey || event.altKey || event.metaKey) return "";
  return Object.hasOwn(PRESENTER_KEYS, event.key) ? PRESENTER_KEYS[event.key] : "";
}

// Keys typed into a text box, a slider or a menu are theirs.
export function typingIn(node) {
  const tag = node && node.tagName;
  return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || Boolean(node && node.isContentEditable);
}

// How many CSS px of a [left, top, right, bottom] rectangle a width x height viewport shows.
export function visibleArea([left, top, right, bottom], width, height) {
  const w = Math.min(right, width) - Math.max(left, 0);
  const hh = Math.min(bottom, height) - Math.max(top, 0);
  return w > 0 && hh > 0 ? w * hh : 0;
}

// The index of the rectangle a width x height viewport shows most of (the first of equals); -1 if none shows.
export function mostInView(rects, width, height) {
  let best = -1;
  let bestArea = 0;
  rects.forEach((rect, i) => {
    const area = visibleArea(rect, width, height);
    if (area > bestArea) [best, bestArea] = [i, area];
  });
  return best;
}

// When nothing on the page has focus (the body has it: Voila, or after a click on the page's
// background), a key goes to the animated widget most in view. One keydown listener on the document
// serves every widget of the page; it and the widgets it serves live on `document` under a global
// symbol, so that copies of this module (one per widget class) share them. A widget leaves the set
// when it is disposed (its `signal` aborts); the listener goes when the set is empty.
const PRESENTER_SLOT = Symbol.for("cnnlab.presenter-keys");

function presenterRegistry() {
  if (!document[PRESENTER_SLOT]) {
    const registry = { widgets: new Set(), onKey: null };
    registry.onKey = (event) => {
      const target = event.target;
      const onPage = target === document.body || target === document.documentElement || target === document;
      const action = keyAction(event);
      if (!action || !onPage || event.defaultPrevented) return;
      const shown = [...registry.widgets].filter((entry) => entry.root.isConnected);
      const rects = shown.map((entry) => {
        const r = entry.root.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom];
      });
      const best = mostInView(rects, window.innerWidth, window.innerHeight);
      if (best < 0) return;
      shown[best].act(action);
      event.preventDefault();   // a space or PageDown would also scroll the page away from the widget
    };
    document[PRESENTER_SLOT] = registry;
  }
  return document[PRESENTER_SLOT];
}

export function registerPresenterKeys(root, act, signal) {
  const registry = presenterRegistry();
  const entry = { root, act };
  registry.widgets.add(entry);
  document.addEventListener("keydown", registry.onKey);   // the same function: added once per page
  const leave = () => {
    registry.widgets.delete(entry);
    if (!registry.widgets.size) document.removeEventListener("keydown", registry.onKey);
  };
  if (!signal) return leave;
  if (signal.aborted) leave();
  else signal.addEventListener("abort", leave, { once: true });
  return leave;
}

// How many widgets the page-wide keys serve now (for the tests).
export function presenterWidgetCount() {
  const registry = document[PRESENTER_SLOT];
  return registry ? registry.widgets.size : 0;
}

