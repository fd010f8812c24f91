// The restart budget and health checks through the Supervisor: the exact event order of a
// restart and of an unhealthy process started again, the reasons, and the budget's arithmetic.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  type CommandSpec,
  OutputRelay,
  type ProcessSpec,
  RestartBudget,
  Supervisor,
} from "../src/index.js";
import { recordEvents } from "../src/testing.js";

const sh = (script: string): CommandSpec => ({ program: "/bin/sh", args: ["-c", script] });

function supervise(processes: ProcessSpec[]) {
  const out = new PassThrough().resume();
  const output = new OutputRelay({
    format: "text",
    timestamps: false,
    color: false,
    names: processes.map((p) => p.name),
    stdout: out,
    stderr: out,
  });
  const supervisor = new Supervisor({ processes }, { output, killOnHostExit: false });
  return { supervisor, events: recordEvents(supervisor) };
}

describe("restart through the Supervisor", () => {
  it("emits the order of a restart, then of the budget spent", async () => {
    const { supervisor, events } = supervise([
      { name: "w", run: sh("exit 4"), restart: { on: "failure", max: 1, backoffMs: 5 } },
    ]);
    const attempts: unknown[] = [];
    supervisor.on("process:restarting", (event) => attempts.push(event));
    const result = await supervisor.wait();
    expect(result.exitCode).toBe(4);
    expect(result.reason).toEqual({
      kind: "restarts-exhausted",
      process: "w",
      restarts: 1,
      withinMs: 60_000,
      last: { status: { kind: "exited", code: 4 } },
    });
    expect(attempts).toEqual([
      { process: "w", attempt: 1, delayMs: 5, status: { kind: "exited", code: 4 } },
    ]);
    expect(events).toEqual([
      "process:starting w",
      "command:started w run",
      "process:started w",
      "supervisor:running",
      "command:exited w run",
      "process:restarting w",
      "command:started w run",
      "command:exited w run",
      "supervisor:stopping restarts-exhausted",
      "process:stopping w",
      "process:stopped w",
      "supervisor:stopped 4",
    ]);
  });

  it("awaits beforeRestart, and stops the restart when a shutdown begins meanwhile", async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const out = new PassThrough().resume();
    const supervisor = new Supervisor(
      { processes: [{ name: "w", run: sh("exit 1"), restart: { on: "failure", backoffMs: 0 } }] },
      {
        output: new OutputRelay({
          format: "text",
          timestamps: false,
          color: false,
          names: ["w"],
          stdout: out,
          stderr: out,
        }),
        killOnHostExit: false,
        hooks: { beforeRestart: () => held },
      },
    );
    const events = recordEvents(supervisor);
    await supervisor.start();
    await new Promise<void>((resolve) => supervisor.once("process:restarting", () => resolve()));
    const stopped = supervisor.stop();
    release();
    const result = await stopped;
    expect(result.exitCode).toBe(0);
    expect(events.filter((e) => e === "command:started w run")).toHaveLength(1);
  });

  it("emits the order of an unhealthy process stopped and started again", async () => {
    const { supervisor, events } = supervise([
      {
        name: "h",
        run: sh("trap 'exit 0' TERM; while :; do sleep 0.02; done"),
        health: { check: { kind: "command", command: sh("exit 1") }, intervalMs: 20, failures: 2 },
        restart: { on: "failure", max: 1, backoffMs: 5 },
      },
    ]);
    const unhealthy: unknown[] = [];
    supervisor.on("process:unhealthy", (event) => unhealthy.push(event));
    const result = await supervisor.wait();
    expect(result.exitCode).toBe(1);
    expect(result.reason).toMatchObject({
      kind: "restarts-exhausted",
      last: { unhealthy: "command /bin/sh -c 'exit 1'" },
    });
    expect(unhealthy[0]).toEqual({
      process: "h",
      source: "health",
      probe: "command /bin/sh -c 'exit 1'",
      failures: 2,
      reason: "exit code 1",
    });
    // Health checks' own commands left out: how many ran depends on timing.
    const steps = events.filter((e) => !e.endsWith(" health"));
    expect(steps).toEqual([
      "process:starting h",
      "command:started h run",
      "process:started h",
      "supervisor:running",
      "process:unhealthy h",
      "command:exited h run",
      "process:restarting h",
      "command:started h run",
      "process:unhealthy h",
      "command:exited h run",
      "supervisor:stopping restarts-exhausted",
      "process:stopping h",
      "process:stopped h",
      "supervisor:stopped 1",
    ]);
    expect(events.filter((e) => e === "command:started h health").length).toBeGreaterThanOrEqual(4);
  });

  it("reports how processes are doing", async () => {
    const { supervisor } = supervise([
      { name: "a", pre: sh("true") },
      {
        name: "b",
        run: sh("exec sleep 600"),
        health: { check: { kind: "command", command: sh("true") } },
      },
    ]);
    expect(supervisor.status()).toMatchObject({ state: "idle", ready: false, startedAt: null });
    await supervisor.start();
    const status = supervisor.status();
    expect(status).toMatchObject({ state: "running", ready: true });
    expect(status.processes).toMatchObject([
      { name: "a", state: "one-shot done", pid: null, restarts: 0, lastExit: null, health: null },
      {
        name: "b",
        state: "running",
        restarts: 0,
        health: { probe: "command /bin/sh -c true", last: null, failures: 0 },
      },
    ]);
    expect(status.processes[1]!.pid).toBeGreaterThan(0);
    await supervisor.stop();
    expect(supervisor.status().processes.map((p) => p.state)).toEqual(["stopped", "stopped"]);
  });
});

describe("RestartBudget", () => {
  it("doubles the backoff up to its cap, and counts in a sliding window", () => {
    let now = 0;
    const budget = new RestartBudget(
      { on: "failure", max: 3, withinMs: 1_000, backoffMs: 100, maxBackoffMs: 250 },
      () => now,
    );
    expect(budget.next(false)).toEqual({ kind: "never" });
    expect(budget.next(true)).toEqual({ kind: "restart", attempt: 1, delayMs: 100 });
    now = 10;
    expect(budget.next(true)).toEqual({ kind: "restart", attempt: 2, delayMs: 200 });
    now = 20;
    expect(budget.next(true)).toEqual({ kind: "restart", attempt: 3, delayMs: 250 });
    now = 30;
    expect(budget.next(true)).toEqual({ kind: "exhausted", max: 3, withinMs: 1_000 });
    now = 1_005; // the first one has left the window
    expect(budget.next(true)).toEqual({ kind: "restart", attempt: 3, delayMs: 250 });
    expect(budget.total).toBe(4);
  });

  it('restarts a clean exit with on = "always" only', () => {
    expect(new RestartBudget({ on: "always" }).next(false)).toMatchObject({ kind: "restart" });
    expect(new RestartBudget(undefined).next(true)).toEqual({ kind: "never" });
  });
});
