// The Supervisor through its public API: event order, hooks, results, errors.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  type CommandSpec,
  OutputRelay,
  type ProcessSpec,
  type Spec,
  StartupError,
  Supervisor,
} from "../src/index.js";
import { recordEvents } from "../src/testing.js";

const sh = (script: string): CommandSpec => ({ program: "/bin/sh", args: ["-c", script] });

function quietOutput(names: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (err += c));
  const relay = new OutputRelay({
    format: "text",
    timestamps: false,
    color: false,
    names,
    stdout,
    stderr,
  });
  return { relay, text: () => ({ out, err }) };
}

function supervise(processes: ProcessSpec[], extra: Partial<Spec> = {}) {
  const spec: Spec = { processes, ...extra };
  const output = quietOutput(processes.map((p) => p.name));
  const supervisor = new Supervisor(spec, { output: output.relay, killOnHostExit: false });
  return { supervisor, events: recordEvents(supervisor), output };
}

describe("Supervisor", () => {
  it("emits the startup and shutdown steps in a deterministic order", async () => {
    const { supervisor, events } = supervise([
      { name: "setup", pre: sh("true"), post: sh("true") },
      { name: "web", pre: sh("true"), run: sh("exec sleep 600"), post: sh("true") },
    ]);
    await supervisor.start();
    expect(supervisor.state).toBe("running");
    const result = await supervisor.stop();
    expect(result).toEqual({ reason: { kind: "stop" }, exitCode: 0 });
    expect(events).toEqual([
      "process:starting setup",
      "command:started setup pre",
      "command:exited setup pre",
      "process:started setup",
      "process:starting web",
      "command:started web pre",
      "command:exited web pre",
      "command:started web run",
      "process:started web",
      "supervisor:running",
      "supervisor:stopping stop",
      "process:stopping web",
      "command:exited web run",
      "command:started web post",
      "command:exited web post",
      "process:stopped web",
      "process:stopping setup",
      "command:started setup post",
      "command:exited setup post",
      "process:stopped setup",
      "supervisor:stopped 0",
    ]);
  });

  it("awaits hooks, so a test can hold the lifecycle between two steps", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const order: string[] = [];
    const spec: Spec = {
      processes: [
        { name: "a", run: sh("exec sleep 600") },
        { name: "b", pre: sh("true") },
      ],
    };
    const output = quietOutput(["a", "b"]);
    const supervisor = new Supervisor(spec, {
      output: output.relay,
      killOnHostExit: false,
      hooks: {
        "process:started": async ({ process }) => {
          order.push(`started ${process}`);
          if (process === "a") await held;
        },
      },
    });
    supervisor.on("process:starting", ({ process }) => order.push(`starting ${process}`));
    const started = supervisor.start();
    await new Promise<void>((r) => supervisor.once("process:started", () => r()));
    expect(order).toEqual(["starting a", "started a"]);
    release();
    await started;
    expect(order).toEqual(["starting a", "started a", "starting b", "started b"]);
    await supervisor.stop();
  });

  it("a failing pre rejects start() with a StartupError that names process and phase", async () => {
    const { supervisor, events } = supervise([
      { name: "a", run: sh("exec sleep 600"), post: sh("true") },
      { name: "b", pre: sh("exit 3"), post: sh("true") },
      { name: "c", pre: sh("true") },
    ]);
    const error = await supervisor.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).message).toBe(
      'startup aborted: `pre` command failed for process "b" (exit code 3)',
    );
    expect((error as StartupError).exitCode).toBe(3);
    const result = await supervisor.wait();
    expect(result.exitCode).toBe(3);
    expect(result.reason.kind).toBe("startup-failed");
    expect(events.filter((e) => e.startsWith("process:"))).toEqual([
      "process:starting a",
      "process:started a",
      "process:starting b",
      "process:stopping a",
      "process:stopped a",
    ]);
  });

  it("a run that exits ends the supervision with its status", async () => {
    const { supervisor } = supervise([
      { name: "a", run: sh("exec sleep 600") },
      { name: "b", run: sh("exit 7") },
    ]);
    await supervisor.start().catch(() => {});
    const result = await supervisor.wait();
    expect(result.exitCode).toBe(7);
    expect(result.reason).toMatchObject({
      kind: "exit",
      process: "b",
      status: { kind: "exited", code: 7 },
    });
  });

  it("refuses a spec with an empty or a repeated process name", () => {
    expect(() => new Supervisor({ processes: [{ name: "" }] })).toThrow(
      "processes[0] has no name: every process needs one",
    );
    expect(
      () => new Supervisor({ processes: [{ name: "a" }, { name: "b" }, { name: "a" }] }),
    ).toThrow('duplicate process name "a" (processes[0] and processes[2])');
  });

  it("a run that cannot be started fails startup, as a pre would", async () => {
    const { supervisor } = supervise([
      { name: "a", run: sh("exec sleep 600") },
      { name: "b", run: { program: "/no/such/program", args: [] } },
    ]);
    const error = await supervisor.start().then(
      () => null,
      (e: unknown) => e as StartupError,
    );
    expect(error?.message).toMatch(/`run` command failed for process "b" \(could not start/);
    expect(error?.exitCode).toBe(127);
    expect((await supervisor.wait()).exitCode).toBe(127);
  });

  it("relays output with the process name and phase", async () => {
    const { supervisor, output } = supervise([
      { name: "greeter", pre: sh("echo hello"), run: sh("echo out; echo err >&2") },
    ]);
    await supervisor.wait();
    expect(output.text().out).toMatch(/^greeter\[pre\] +\| hello$/m);
    expect(output.text().out).toMatch(/^greeter +\| out$/m);
    expect(output.text().out).not.toMatch(/\| err$/m);
    expect(output.text().err).toMatch(/^greeter +\| err$/m);
  });

  it("a hook that throws during startup fails startup; one that throws during shutdown is logged", async () => {
    const spec: Spec = {
      processes: [
        { name: "a", run: sh("exec sleep 600"), post: sh("echo a-post") },
        { name: "b", pre: sh("true") },
      ],
    };
    const output = quietOutput(["a", "b"]);
    const supervisor = new Supervisor(spec, {
      output: output.relay,
      killOnHostExit: false,
      hooks: {
        "process:starting": ({ process }) => {
          if (process === "b") throw new Error("not today");
        },
        "process:stopping": () => {
          throw new Error("hook broke");
        },
      },
    });
    const error = await supervisor.start().then(
      () => null,
      (e: unknown) => e as StartupError,
    );
    expect(error?.message).toBe(
      'startup aborted: process:starting hook failed (process "b"): not today',
    );
    expect(error?.phase).toBe("hook");
    const result = await supervisor.wait();
    expect(result.exitCode).toBe(1);
    // The stopping hook failed, yet "a" was stopped and its post ran.
    expect(output.text().err).toMatch(/process:stopping hook failed: hook broke/);
    expect(output.text().out).toMatch(/a\[post\] +\| a-post/);
  });

  it("a listener that throws at a startup step fails startup, named as a listener", async () => {
    const { supervisor, events } = supervise([
      { name: "a", run: sh("exec sleep 600") },
      { name: "b", run: sh("exec sleep 600") },
    ]);
    supervisor.on("process:started", ({ process }) => {
      if (process === "a") throw new Error("listener broke");
    });
    const error = await supervisor.start().then(
      () => null,
      (e: unknown) => e as StartupError,
    );
    expect(error?.message).toBe(
      'startup aborted: a listener of process:started threw (process "a"): listener broke',
    );
    expect(error?.phase).toBe("hook");
    expect(error?.cause).toMatchObject({ name: "HookError", listener: true, process: "a" });
    expect((await supervisor.wait()).exitCode).toBe(1);
    expect(events).not.toContain("process:starting b");
    expect(events.at(-1)).toBe("supervisor:stopped 1");
  });

  it("a listener that throws in a child's exit is logged; the shutdown still completes", async () => {
    const { supervisor, events, output } = supervise([
      { name: "a", run: sh("exec sleep 600"), post: sh("echo a-post") },
      { name: "b", run: sh("exit 4") },
    ]);
    supervisor.on("command:exited", () => {
      throw new Error("listener broke");
    });
    // No uncaught exception: the run's exit still ends in an ordered shutdown.
    await supervisor.start().catch(() => {});
    const result = await supervisor.wait();
    expect(result.reason).toMatchObject({ kind: "exit", process: "b" });
    expect(output.text().err).toMatch(/a command:exited listener threw: listener broke/);
    expect(output.text().out).toMatch(/a\[post\] +\| a-post/);
    expect(events.at(-1)).toBe("supervisor:stopped 4");
  });

  it("a supervisor:running hook that throws rejects start() and stops everything", async () => {
    const spec: Spec = { processes: [{ name: "a", run: sh("exec sleep 600") }] };
    const supervisor = new Supervisor(spec, {
      output: quietOutput(["a"]).relay,
      killOnHostExit: false,
      hooks: {
        "supervisor:running": () => {
          throw new Error("not ready to serve");
        },
      },
    });
    await expect(supervisor.start()).rejects.toMatchObject({
      name: "StartupError",
      phase: "hook",
      message: "startup aborted: supervisor:running hook failed: not ready to serve",
    });
    const result = await supervisor.wait();
    expect(result.reason.kind).toBe("startup-failed");
    expect(result.exitCode).toBe(1);
  });

  it("start({ through }) starts the processes up to that one, and stops those in reverse", async () => {
    const { supervisor, events } = supervise([
      { name: "vpn", run: sh("exec sleep 600") },
      { name: "sshd", pre: sh("true") },
      { name: "app", run: sh("exec sleep 600") },
    ]);
    await supervisor.start({ through: "sshd" });
    expect(supervisor.status().processes.map((p) => p.state)).toEqual([
      "running",
      "one-shot done",
      "waiting",
    ]);
    expect((await supervisor.stop()).exitCode).toBe(0);
    expect(events).not.toContain("process:starting app");
    expect(events.filter((e) => e.startsWith("process:stopping"))).toEqual([
      "process:stopping sshd",
      "process:stopping vpn",
    ]);
    expect(() =>
      supervise([{ name: "a", run: sh("true") }]).supervisor.start({ through: "b" }),
    ).toThrow('start({ through }): no process is named "b"');
  });
});
