// The timers and the clock core keeps its own time with. By default the real ones, taken when
// core is loaded: a test's fake timers (vi.useFakeTimers(), installed after its imports) do not
// reach them, because the commands a supervisor runs are real processes on real time, and a
// faked clock must not open a gate its daemon never passed. A test that wants to drive core's
// time (a 30 s backoff, a 60 s ready timeout) hands it its fake timers on purpose, through
// useCoreTimers() in @groundcontrol/core/testing.

/** Where timers come from: globalThis, or a test's fake global. */
export interface TimerSource {
  setTimeout: typeof globalThis.setTimeout;
  clearTimeout: typeof globalThis.clearTimeout;
  setInterval: typeof globalThis.setInterval;
  clearInterval: typeof globalThis.clearInterval;
  Date: { now(): number };
}

function from(source: TimerSource) {
  return {
    setTimeout: source.setTimeout,
    clearTimeout: source.clearTimeout,
    setInterval: source.setInterval,
    clearInterval: source.clearInterval,
    now: () => source.Date.now(),
  };
}

const real = { ...from(globalThis), now: Date.now };

export const timers = {
  ...real,
  // Never faked: a turn of the event loop, not a measure of time.
  setImmediate: globalThis.setImmediate,
  clearImmediate: globalThis.clearImmediate,
};

/** Core's timers and clock from now on: `source`'s, or the real ones again without one. */
export function setTimerSource(source?: TimerSource): void {
  Object.assign(timers, source ? from(source) : real);
}
