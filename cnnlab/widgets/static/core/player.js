// ------------------------------------------------------------------ the player

import { keyAction, registerPresenterKeys, typingIn } from "./keys.js";

// The animation clock: `onFrame(dtMs)` on every requestAnimationFrame while running (dt capped at
// 250 ms, so a tab in the background does not jump ahead); onFrame returns false to stop.
function createClock(onFrame) {
  let lastT = null;
  let raf = 0;
  function tick(t) {
    raf = 0;
    if (lastT === null) lastT = t;
    const dt = Math.min(Math.max(t - lastT, 0), 250);
    lastT = t;
    if (onFrame(dt)) raf = requestAnimationFrame(tick);
  }
  return {
    start() { lastT = null; if (!raf) raf = requestAnimationFrame(tick); },
    stop() { if (raf) cancelAnimationFrame(raf); raf = 0; },
  };
}

// Play / pause / step / scrub / speed. The animation runs on requestAnimationFrame at `speed` steps
// per second of wall time; `commit(fields)` is called when the user settles on a state (never per frame).
export function createPlayer(view, painter, commit) {
  const { root } = view;
  let step = 0;
  let pos = 0;             // fractional step while playing
  let playing = false;
  let speed = 10;
  let frames = 0;
  const last = () => painter.steps() - 1;
  const clamp = (s) => Math.min(Math.max(s, 0), last());
  const clock = createClock(advance);

  function display(s) {
    step = s;
    pos = s;
    painter.show(s);
  }

  function setPlaying(on, sync = true) {
    if (!painter.steps() || on === playing) return;
    playing = on;
    root.dataset.playing = String(on);
    view.play.textContent = on ? "\u275a\u275a Pause" : "\u25b6 Play";
    view.play.setAttribute("aria-pressed", String(on));
    if (on) {
      if (step >= last()) display(0);
      pos = step;
      clock.start();
    } else {
      clock.stop();
      painter.show(step);   // the numbers panel may lag while playing: catch up
    }
    if (sync) commit({ playing: on, step });
  }

  function advance(dt) {
    if (!playing || !painter.steps()) return false;
    const next = pos + (dt * speed) / 1000;
    const s = Math.min(Math.floor(next), last());
    painter.show(s, true);
    step = s;
    pos = next;
    frames += 1;
    root.dataset.frames = String(frames);
    if (s < last()) return true;
    setPlaying(false);
    return false;
  }

  // a step the user chose (`settle`: tell the model; while the scrub slider is dragged it hears on release)
  function goTo(s, settle = true) {
    if (!painter.steps()) return;
    if (playing) setPlaying(false);
    display(clamp(s));
    if (settle) commit({ step });
  }

  function setSpeed(value, shownExactly = false) {
    speed = value;
    view.speedInput.value = String(Math.round(value));
    view.speedText.textContent = `${shownExactly ? value : Math.round(value)} steps/s`;
  }

  return {
    setPlaying, goTo, setSpeed,
    scrubTo: (s) => goTo(s, false),
    // a step set from Python; out-of-range values are ignored
    jump: (s) => {
      if (painter.steps() && Number.isInteger(s) && s !== step && s >= 0 && s <= last()) display(s);
    },
    // after a new scene: keep the place while playing, else take the model's step
    restart: (modelStep) => display(clamp(playing ? step : modelStep)),
    dispose: () => { playing = false; clock.stop(); },
    toggle: () => setPlaying(!playing),
    get step() { return step; },
    get speed() { return speed; },
    get playing() { return playing; },
  };
}

// The transport controls and keys, to the player.
export function bindControls(view, painter, player, listen) {
  bindTransport(view, painter, player, listen);
  listen(view.outPanel.stack, "click", (event) => {
    const s = painter.stepAt(event);
    if (s >= 0) player.goTo(s);
  });
  listen(view.ui.sum, "click", () => {
    if (view.ui.sum.classList.contains("cnnlab-sum-lines")) view.ui.sum.classList.toggle("cnnlab-expanded");
  });
}

// Play, step, scrub, speed and the keys (every animated kind, the NMS widget included).
export function bindTransport(view, painter, player, listen) {
  listen(view.play, "click", () => player.toggle());
  listen(view.back, "click", () => player.goTo(player.step - 1));
  listen(view.forward, "click", () => player.goTo(player.step + 1));
  listen(view.scrub, "input", () => player.scrubTo(Number(view.scrub.value)));
  listen(view.scrub, "change", () => player.goTo(Number(view.scrub.value)));
  listen(view.speedInput, "input", () => player.setSpeed(Number(view.speedInput.value), true));
  const actions = {
    toggle: () => player.toggle(),
    back: () => player.goTo(player.step - 1),
    forward: () => player.goTo(player.step + 1),
    first: () => player.goTo(0),
    last: () => player.goTo(painter.steps() - 1),
  };
  const act = (name) => actions[name]();
  listen(view.root, "keydown", (event) => {
    const action = keyAction(event);
    if (!action || typingIn(event.target)) return;
    act(action);
    event.preventDefault();
  });
  registerPresenterKeys(view.root, act, listen.signal);
}

