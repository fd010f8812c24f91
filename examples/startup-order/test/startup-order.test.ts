// The exact order in which a spec starts and stops, asserted through @groundcontrol/core's
// public API alone: events are synchronous and hooks are awaited, so nothing here sleeps.
import { type CommandSpec, type Spec, Supervisor } from "@groundcontrol/core";
import { MemoryOutput, nextEvent, recordEvents } from "@groundcontrol/core/testing";
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

describe("startup order", () => {
  it("starts in file order, one process at a time, and stops in reverse", async () => {
    let releaseDb: () => void = () => {};
    const dbHeld = new Promise<void>((resolve) => {
      releaseDb = resolve;
    });
    // Output kept in memory: the commands' lines stay out of the test report, and nothing
    // unread can hold stop().
    const output = new MemoryOutput();
    const supervisor = new Supervisor(spec, {
      output,
      hooks: {
        // Awaited: nothing after db starts until the test lets it go.
        "process:started": async ({ process }) => {
          if (process === "db") await dbHeld;
        },
      },
    });
    const events = recordEvents(supervisor);
    const dbStarted = nextEvent(supervisor, "process:started", "db");
    const started = supervisor.start();

    // Held in the hook: db is up and ready, and migrate has not begun.
    await dbStarted;
    expect(events.at(-1)).toBe("process:started db");
    expect(events).not.toContain("process:starting migrate");
    expect(output.linesOf("db")).toEqual(["accepting connections"]);
    releaseDb();

    await started;
    const result = await supervisor.stop();
    expect(result.exitCode).toBe(0);
    expect(events).toEqual([
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
        { name: "migrate", pre: sh("echo no database; exit 3"), post: sh("exit 0") },
        { name: "app", run: sh("exec sleep 60") },
      ],
    };
    const output = new MemoryOutput();
    const supervisor = new Supervisor(failing, { output });
    const events = recordEvents(supervisor);
    await expect(supervisor.start()).rejects.toMatchObject({
      name: "StartupError",
      process: "migrate",
      phase: "pre",
      exitCode: 3,
    });
    expect((await supervisor.wait()).exitCode).toBe(3);
    expect(output.lines).toContainEqual({
      process: "migrate",
      phase: "pre",
      stream: "stdout",
      line: "no database",
    });
    expect(events).toEqual([
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
