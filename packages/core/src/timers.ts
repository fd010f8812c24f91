// The timers and the clock core keeps its own time with, taken when core is loaded. A test's fake
// timers (vi.useFakeTimers(), installed after its imports) do not reach them: the commands a
// supervisor runs are real processes on real time, and its gates, timeouts and backoffs must be
// too, or a faked clock would open a gate its daemon never passed.
export const timers = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
  setImmediate: globalThis.setImmediate,
  clearImmediate: globalThis.clearImmediate,
  now: Date.now,
};
