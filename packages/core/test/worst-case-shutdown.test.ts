// The worst-case shutdown of a spec: the stop-timeouts added up, capped by shutdown-timeout; a
// post without shutdown-timeout leaves it unbounded.
import { describe, expect, it } from "vitest";
import { worstCaseShutdown } from "../src/deadline.js";
import type { ProcessSpec, Spec } from "../src/spec.js";

const cmd = { program: "x", args: [] };
const run = (name: string, extra: Partial<ProcessSpec> = {}): ProcessSpec => ({
  name,
  run: cmd,
  ...extra,
});

describe("worstCaseShutdown", () => {
  it.each<[string, Spec, ReturnType<typeof worstCaseShutdown>]>([
    ["no process", { processes: [] }, { ms: 0, bound: "stop-timeouts" }],
    [
      "one run, default stop-timeout",
      { processes: [run("a")] },
      { ms: 10_000, bound: "stop-timeouts" },
    ],
    [
      "two runs, default stop-timeouts",
      { processes: [run("a"), run("b")] },
      { ms: 20_000, bound: "stop-timeouts" },
    ],
    [
      "stop-timeouts of their own",
      { processes: [run("a", { stopTimeoutMs: 2_000 }), run("b", { stopTimeoutMs: 500 })] },
      { ms: 2_500, bound: "stop-timeouts" },
    ],
    [
      "a one-shot with neither pre nor post takes nothing",
      { processes: [{ name: "a" }, run("b", { stopTimeoutMs: 1_000 })] },
      { ms: 1_000, bound: "stop-timeouts" },
    ],
    [
      "a one-shot's pre cut short after the runs before it",
      {
        processes: [
          run("a", { stopTimeoutMs: 1_000 }),
          { name: "b", pre: cmd, stopTimeoutMs: 3_000 },
        ],
      },
      { ms: 4_000, bound: "stop-timeouts" },
    ],
    [
      "a one-shot's pre before the runs counts alone",
      {
        processes: [
          { name: "a", pre: cmd, stopTimeoutMs: 3_000 },
          run("b", { stopTimeoutMs: 5_000 }),
        ],
      },
      { ms: 5_000, bound: "stop-timeouts" },
    ],
    [
      "shutdown-timeout caps the sum",
      { shutdownTimeoutMs: 4_000, processes: [run("a"), run("b")] },
      { ms: 4_000, bound: "shutdown-timeout" },
    ],
    [
      "shutdown-timeout above the sum: the sum",
      { shutdownTimeoutMs: 25_000, processes: [run("a")] },
      { ms: 10_000, bound: "stop-timeouts" },
    ],
    [
      "a post without shutdown-timeout: unbounded",
      { processes: [run("a", { post: cmd })] },
      { ms: null, bound: "unbounded" },
    ],
    [
      "a one-shot's post without shutdown-timeout: unbounded",
      { processes: [{ name: "a", post: cmd }, run("b")] },
      { ms: null, bound: "unbounded" },
    ],
    [
      "a post with shutdown-timeout: the whole deadline",
      { shutdownTimeoutMs: 25_000, processes: [run("a", { stopTimeoutMs: 1_000, post: cmd })] },
      { ms: 25_000, bound: "shutdown-timeout" },
    ],
    [
      "shutdown-timeout 0",
      { shutdownTimeoutMs: 0, processes: [run("a")] },
      { ms: 0, bound: "shutdown-timeout" },
    ],
  ])("%s", (_what, spec, expected) => {
    expect(worstCaseShutdown(spec)).toEqual(expected);
  });
});
