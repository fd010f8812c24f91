// Runs one OS program in its own process group and hands back a handle: pid, exit, signals.
import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import type { Env } from "./env.js";
import { findProgram } from "./program.js";
import type { Phase } from "./spec.js";
import { describeStatus, type ExitStatus, spawnFailure } from "./status.js";
import { traceCommand } from "./trace.js";

/** Everything needed to start one program, already expanded and resolved. */
export interface LaunchPlan {
  file: string;
  args: string[];
  env: Env;
  cwd?: string;
  uid?: number;
  gid?: number;
  /**
   * The program as the config wrote it, before {{VAR}} expansion: what messages show, since
   * Ground Control's own messages never carry environment values.
   */
  label?: string;
  /** Hand the program the write end of a pipe at this descriptor (readiness `fd`). */
  notifyFd?: number;
}

export interface Origin {
  process: string;
  phase: Phase;
  stream: "stdout" | "stderr";
}

/** Where a command's output goes: the relay, in practice. */
export interface OutputSink {
  attach(source: Readable, origin: Origin): Promise<void>;
}

/**
 * How long to keep waiting for a command's output once the command itself has exited. A
 * background grandchild can hold the pipe open for ever; its output still gets relayed, but the
 * lifecycle does not wait for it.
 */
const OUTPUT_GRACE_MS = 250;

export class Command {
  readonly pid: number | undefined;
  /** Resolves once the program has exited (or failed to start). */
  readonly exited: Promise<ExitStatus>;
  /** Resolves once it has exited and its output has been relayed (or the grace ran out). */
  readonly finished: Promise<ExitStatus>;
  /** The read end of the readiness pipe, when the plan asked for one. */
  readonly notify: Readable | undefined;
  #status: ExitStatus | undefined;

  constructor(plan: LaunchPlan, processName: string, phase: Phase, sink: OutputSink) {
    let child: ChildProcess | undefined;
    let failure: ExitStatus | undefined;
    const label = plan.label ?? plan.file;
    const lookup = findProgram(plan.file, plan.env.PATH, plan.cwd ?? process.cwd(), label);
    if ("code" in lookup) {
      failure = { kind: "failed", ...lookup };
    } else {
      try {
        child = spawn(lookup.found, plan.args, {
          argv0: plan.file,
          env: plan.env,
          cwd: plan.cwd,
          uid: plan.uid,
          gid: plan.gid,
          stdio: stdioFor(plan.notifyFd),
          // Its own process group, so a stop reaches every descendant that did not leave it.
          detached: true,
          windowsHide: true,
        });
      } catch (error) {
        failure = spawnFailure(error as NodeJS.ErrnoException);
      }
    }
    this.pid = child?.pid;
    traceCommand("%s[%s] %s: pid %s", processName, phase, label, this.pid ?? "(not started)");
    this.notify =
      child && plan.notifyFd !== undefined
        ? (child.stdio[plan.notifyFd] as Readable | undefined)
        : undefined;

    this.exited = failure
      ? Promise.resolve(failure)
      : new Promise<ExitStatus>((resolve) => {
          child!.once("error", (error: NodeJS.ErrnoException) => {
            // 'error' also fires for a failed kill(); only a failed spawn leaves pid unset.
            if (child!.pid === undefined) resolve(spawnFailure(error));
          });
          child!.once("exit", (code, signal) => {
            resolve(signal ? { kind: "signaled", signal } : { kind: "exited", code: code ?? 0 });
          });
        });
    void this.exited.then((status) => {
      this.#status = status;
      traceCommand("%s[%s] pid %s ended: %s", processName, phase, this.pid, describeStatus(status));
    });

    const relayed = child
      ? Promise.all([
          child.stdout
            ? sink.attach(child.stdout, { process: processName, phase, stream: "stdout" })
            : null,
          child.stderr
            ? sink.attach(child.stderr, { process: processName, phase, stream: "stderr" })
            : null,
        ])
      : Promise.resolve([]);
    this.finished = this.exited.then(async (status) => {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise((resolve) => {
        timer = setTimeout(resolve, OUTPUT_GRACE_MS);
      });
      await Promise.race([relayed, grace]);
      clearTimeout(timer);
      return status;
    });
  }

  /** True until the program has exited. */
  get running(): boolean {
    return this.pid !== undefined && this.#status === undefined;
  }

  get status(): ExitStatus | undefined {
    return this.#status;
  }

  /** Sends a signal to the whole process group; false when nothing was there to receive it. */
  signalGroup(signal: NodeJS.Signals): boolean {
    if (this.pid === undefined) return false;
    try {
      process.kill(-this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

function stdioFor(notifyFd: number | undefined): StdioOptions {
  // stdin is /dev/null: a supervised program never reads Ground Control's input.
  const stdio: StdioOptions = ["ignore", "pipe", "pipe"];
  if (notifyFd !== undefined) {
    for (let fd = 3; fd < notifyFd; fd++) stdio.push("ignore");
    stdio.push("pipe");
  }
  return stdio;
}
