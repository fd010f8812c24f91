// Event-driven readiness checks (log, fd, notify): nothing to poll, the daemon tells us.
import type { CheckContext } from "./ready-context.js";
import { ReadyCheckError } from "./ready-errors.js";

/** Holds once a complete output line of the process (stdout or stderr) matches `pattern`. */
export function logCheck(pattern: string, ctx: CheckContext): Promise<void> {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (error) {
    return Promise.reject(
      new ReadyCheckError(ctx.target.process, ctx.check, "has an invalid regular expression", {
        cause: error,
      }),
    );
  }
  ctx.notYet("no output line matched");
  // Subscribed before the first await: the daemon's first line cannot slip past.
  return until(ctx, (holds) =>
    ctx.target.onLine((line) => {
      if (regex.test(line)) holds();
    }),
  );
}

/**
 * Resolves once what `subscribe` listens to calls `holds`; unsubscribes then, or when the check
 * is abandoned (`ctx.signal`), whichever comes first.
 */
function until(ctx: CheckContext, subscribe: (holds: () => void) => () => void): Promise<void> {
  return new Promise((resolve) => {
    let stopped = false;
    let unsubscribe = (): void => {};
    const stop = (): void => {
      stopped = true;
      unsubscribe();
      ctx.signal.removeEventListener("abort", stop);
    };
    unsubscribe = subscribe(() => {
      stop();
      resolve();
    });
    // It held while subscribing: the unsubscribe did not exist yet when stop() ran.
    if (stopped) unsubscribe();
    else ctx.signal.addEventListener("abort", stop, { once: true });
  });
}

/**
 * s6's notification-fd: holds once the daemon writes a newline to the descriptor it inherited.
 * Our end of the pipe is closed afterwards, as s6 does. A daemon that closes its end without a
 * newline never becomes ready: the gate then fails on the exit or the timeout, with that reason.
 */
export function fdCheck(fd: number, ctx: CheckContext): Promise<void> {
  const stream = ctx.target.run.notify;
  if (stream === undefined) {
    return Promise.reject(
      new ReadyCheckError(ctx.target.process, ctx.check, `has no pipe at descriptor ${fd}`),
    );
  }
  ctx.notYet(`nothing written to descriptor ${fd}`);
  return new Promise((resolve) => {
    let stopped = false;
    const onData = (chunk: Buffer | string): void => {
      if (!chunk.includes("\n")) return;
      stop();
      resolve();
    };
    const onEnd = (): void => {
      if (stopped) return;
      ctx.notYet(`descriptor ${fd} was closed without a newline`);
      stop();
    };
    const stop = (): void => {
      stopped = true;
      stream.off("data", onData);
      stream.off("end", onEnd);
      ctx.signal.removeEventListener("abort", stop);
      stream.destroy();
    };
    stream.on("data", onData);
    stream.once("end", onEnd);
    // A reset pipe reads as a close; `on` so that no error goes unhandled after we are done.
    stream.on("error", onEnd);
    ctx.signal.addEventListener("abort", stop, { once: true });
  });
}

/**
 * sd_notify(3): holds once a process of the daemon's tree sends `READY=1` to its notify socket
 * (the socket checks who sent it). A `STATUS=` before that is what a timeout reports.
 */
export function notifyCheck(ctx: CheckContext): Promise<void> {
  const channel = ctx.target.notify;
  if (channel === undefined) {
    return Promise.reject(
      new ReadyCheckError(ctx.target.process, ctx.check, "has no notify socket"),
    );
  }
  ctx.notYet("no READY=1 received");
  return until(ctx, (holds) =>
    channel.subscribe(({ fields }) => {
      if (fields.STATUS !== undefined) {
        ctx.notYet(`no READY=1 received; last STATUS=${fields.STATUS}`);
      }
      if (fields.READY === "1") holds();
    }),
  );
}
