// The exact order in which a spec starts and stops, asserted through @groundcontrol/core's
// public API alone: events are synchronous and hooks are awaited, so nothing here sleeps.
import { Writable } from "node:stream";
import {
  type CommandSpec,
  OutputRelay,
  type Spec,
  Supervisor,
  type SupervisorEvents,
} from "@groundcontrol/core";
import { describe, expect, it } from "vitest";

const sh = (script: string): CommandSpec => ({ program: "/bin/sh", args: ["-c", script] });

const spec: Spec = {
  processes: [
    {
      name: "db",
      pre: sh("exit 0"),
      run: sh("echo accepting connections; exec sleep 60"),
      ready: { check: { kind: "log", pattern: "^accepting connections$" } },
      post: sh("exit 0"),
    },
    { name: "migrate", pre: sh("exit 0") },
    { name: "app", run: sh("exec sleep 60") },
  ],
};

/** Every event as one line, in the order the supervisor emitted it. */
function record(supervisor: Supervisor): string[] {
  const log: string[] = [];
  const names: (keyof SupervisorEvents)[] = [
    "process:starting",
    "process:ready",
    "process:started",
    "process:stopping",
    "process:stopped",
    "supervisor:running",
  ];
  for (const name of names) {
    supervisor.on(name, (...args: unknown[]) => {
      const event = args[0] as { process?: string } | undefined;
      log.push(event?.process ? `${name} ${event.process}` : name);
    });
  }
  supervisor.on("command:started", ({ process, phase }) =>
    log.push(`command:started ${process} ${phase}`),
  );
  supervisor.on("command:exited", ({ process, phase }) =>
    log.push(`command:exited ${process} ${phase}`),
  );
  supervisor.on("supervisor:stopping", ({ reason }) =>
    log.push(`supervisor:stopping ${reason.kind}`),
  );
  supervisor.on("supervisor:stopped", ({ result }) =>
    log.push(`supervisor:stopped ${result.exitCode}`),
  );
  return log;
}

/** An output relay that keeps the commands' lines out of the test report. */
function quietOutput(): OutputRelay {
  const sink = () =>
    new Writable({
      write(_chunk, _encoding, done) {
        done();
      },
    });
  return new OutputRelay({
    format: "text",
    timestamps: false,
    color: false,
    names: spec.processes.map((p) => p.name),
    stdout: sink(),
    stderr: sink(),
  });
}

describe("startup order", () => {
  it("starts in file order, one process at a time, and stops in reverse", async () => {
    let releaseDb: () => void = () => {};
    const dbHeld = new Promise<void>((resolve) => {
      releaseDb = resolve;
    });
    const supervisor = new Supervisor(spec, {
      output: quietOutput(),
      hooks: {
        // Awaited: nothing after db starts until the test lets it go.
        "process:started": async ({ process }) => {
          if (process === "db") await dbHeld;
        },
      },
    });
    const log = record(supervisor);
    const started = supervisor.start();

    // Held in the hook: db is up and ready, and migrate has not begun.
    await new Promise<void>((resolve) => supervisor.once("process:started", () => resolve()));
    expect(log.at(-1)).toBe("process:started db");
    expect(log).not.toContain("process:starting migrate");
    releaseDb();

    await started;
    const result = await supervisor.stop();
    expect(result.exitCode).toBe(0);
    expect(log).toEqual([
      "process:starting db",
      "command:started db pre",
      "command:exited db pre",
      "command:started db run",
      "process:ready db",
      "process:started db",
      "process:starting migrate",
      "command:started migrate pre",
      "command:exited migrate pre",
      "process:started migrate",
      "process:starting app",
      "command:started app run",
      "process:started app",
      "supervisor:running",
      "supervisor:stopping stop",
      "process:stopping app",
      "command:exited app run",
      "process:stopped app",
      "process:stopping migrate",
      "process:stopped migrate",
      "process:stopping db",
      "command:exited db run",
      "command:started db post",
      "command:exited db post",
      "process:stopped db",
      "supervisor:stopped 0",
    ]);
  });

  it("stops only what started when a pre command fails", async () => {
    const failing: Spec = {
      processes: [
        { name: "db", run: sh("exec sleep 60"), post: sh("exit 0") },
        { name: "migrate", pre: sh("exit 3"), post: sh("exit 0") },
        { name: "app", run: sh("exec sleep 60") },
      ],
    };
    const supervisor = new Supervisor(failing, { output: quietOutput() });
    const log = record(supervisor);
    await expect(supervisor.start()).rejects.toMatchObject({
      name: "StartupError",
      process: "migrate",
      phase: "pre",
      exitCode: 3,
    });
    expect((await supervisor.wait()).exitCode).toBe(3);
    expect(log).toEqual([
      "process:starting db",
      "command:started db run",
      "process:started db",
      "process:starting migrate",
      "command:started migrate pre",
      "command:exited migrate pre",
      "supervisor:stopping startup-failed",
      "process:stopping db",
      "command:exited db run",
      "command:started db post",
      "command:exited db post",
      "process:stopped db",
      "supervisor:stopped 3",
    ]);
  });
});
