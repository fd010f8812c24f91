// Compiled by types.test.ts against two majors of @types/node: the Supervisor's events are typed
// by core itself, so a misspelled name or a wrong payload fails to compile under both.
import { StartupError, Supervisor } from "../../src/index.js";

const supervisor = new Supervisor({ processes: [] });

supervisor.on("process:started", (event) => {
  const name: string = event.process;
  return name;
});
supervisor.once("supervisor:stopped", ({ result }) => result.exitCode.toFixed());
supervisor.off("command:exited", (event) => event.status.kind);
supervisor.emit("process:ready", { process: "db" });

// @ts-expect-error a misspelled event name
supervisor.on("process:strated", () => {});
// @ts-expect-error a misspelled event name
supervisor.once("supervisor:runing", () => {});
// @ts-expect-error a payload of the wrong shape
supervisor.on("command:exited", (event: { nope: number }) => event.nope);
// @ts-expect-error a payload of the wrong shape
supervisor.emit("process:starting", { proc: "db" });

supervisor.start().catch((error: unknown) => {
  if (error instanceof StartupError) {
    // The cause is what can make a startup fail, not unknown.
    const message: string = error.cause.message;
    return message;
  }
  return undefined;
});

supervisor.on("supervisor:stopping", ({ reason }) => {
  if (reason.kind === "startup-failed") {
    // The reason carries the StartupError itself, with its process and phase.
    const where: string = `${reason.error.process} ${reason.error.phase}`;
    return where;
  }
  return undefined;
});
