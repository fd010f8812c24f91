// How `groundcontrol status` reads at a terminal: ages, the table, colours only when asked.
import type { StatusReport } from "@groundcontrol/core";
import { describe, expect, it } from "vitest";
import { age, renderReport } from "../src/status.js";

describe("age", () => {
  it.each([
    [0, "0s"],
    [999, "0s"],
    [59_000, "59s"],
    [60_000, "1m"],
    [192_000, "3m12s"],
    [3_600_000, "1h"],
    [3_780_000, "1h3m"],
    [90_000_000, "1d1h"],
    [-5, "0s"],
  ])("%d ms reads %s", (ms, text) => {
    expect(age(ms)).toBe(text);
  });
});

const NOW = 1_000_000_000;

const REPORT: StatusReport = {
  v: 1,
  phase: "running",
  pid: 1,
  startedAt: NOW - 200_000,
  uptimeMs: 200_000,
  ready: false,
  processes: [
    {
      name: "db",
      state: "ready",
      pid: 12,
      since: NOW - 195_000,
      restarts: 0,
      lastExit: null,
      health: null,
    },
    {
      name: "worker",
      state: "restarting",
      pid: null,
      since: NOW - 2_000,
      restarts: 2,
      lastExit: { kind: "exited", code: 3 },
      health: { probe: "http http://127.0.0.1:8080/health", last: "failing", failures: 2 },
    },
  ],
};

describe("renderReport", () => {
  it("aligns a table under a one-line summary", () => {
    expect(renderReport(REPORT, { color: false, now: NOW })).toBe(
      [
        "groundcontrol running, not ready, up 3m20s (pid 1)",
        "",
        "NAME    STATE       PID  SINCE      RESTARTS  LAST EXIT    HEALTH",
        "db      ready       12   3m15s ago  0         -            -",
        "worker  restarting  -    2s ago     2         exit code 3  http http://127.0.0.1:8080/health: failing (2 failed)",
        "",
      ].join("\n"),
    );
  });

  it("colours the states only when asked, and says why in break glass", () => {
    const colored = renderReport(REPORT, { color: true, now: NOW });
    expect(colored).toContain("\x1b[32mready     \x1b[39m");
    expect(colored).toContain("\x1b[33mrestarting\x1b[39m");
    const glass = renderReport(
      { ...REPORT, phase: "break glass", processes: [], note: "BREAK_GLASS is set" },
      { color: false, now: NOW },
    );
    expect(glass).toBe(
      "groundcontrol break glass, not ready, up 3m20s (pid 1)\nBREAK_GLASS is set\n",
    );
  });

  // Whatever listens on the socket writes the answer: a fake Ground Control in a directory a
  // user can write must not retitle root's terminal, clear it or paint over what it printed.
  it("prints no control character it was sent", () => {
    const hostile = "\x1b]0;pwned\x07\x1b[2J\rok\x9b31m";
    const text = renderReport(
      {
        ...REPORT,
        phase: hostile as StatusReport["phase"],
        note: hostile,
        processes: [{ ...REPORT.processes[1]!, name: hostile, health: null }],
      },
      { color: false, now: NOW },
    );
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain(" ]0;pwned  [2J ok 31m");
  });
});
