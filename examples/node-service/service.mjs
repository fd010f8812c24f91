// @ts-check
// A Node service that brings its own sidecars: it runs a migration and a worker under an
// embedded Supervisor, serves HTTP once they are up, and takes them down with it on SIGTERM.
// Run it with `node service.mjs` (PORT picks the port; 0, the default, lets the system choose).
import { createServer } from "node:http";
import { StartupError, Supervisor, startReaper, trackChildProcesses } from "@groundcontrol/core";

// As PID 1 of a container, orphans of the sidecars come to this process: reap them. Start the
// reaper before spawning anything, so that it knows which children are the supervisor's own.
if (process.pid === 1) {
  trackChildProcesses();
  startReaper();
}

/** @param {string} source a Node program, run with `node -e` (no shell, no extra files) */
const node = (source) => ({ program: process.execPath, args: ["-e", source] });

/** @type {import("@groundcontrol/core").Spec} */
const spec = {
  processes: [
    { name: "migrate", pre: node("console.log('schema is up to date')") },
    {
      name: "worker",
      run: node(`
        console.log("worker ready");
        const timer = setInterval(() => {}, 1000);
        process.on("SIGTERM", () => { console.log("worker: finishing the current job"); clearInterval(timer); });
      `),
      ready: { check: { kind: "log", pattern: "^worker ready$" }, timeoutMs: 10_000 },
      stopTimeoutMs: 5_000,
    },
  ],
  // Kubernetes kills the pod 30 s after SIGTERM: finish well before.
  shutdownTimeoutMs: 20_000,
};

const supervisor = new Supervisor(spec, {
  hooks: {
    // Awaited: the worker is not started before this resolves.
    "process:starting": async ({ process: name }) => console.log(`service: starting ${name}`),
  },
});
supervisor.on("process:stopped", ({ process: name }) => console.log(`service: ${name} stopped`));

try {
  await supervisor.start();
} catch (error) {
  // Everything that had started is stopped again by now.
  console.error(`service: ${error instanceof StartupError ? error.message : error}`);
  process.exit(error instanceof StartupError ? error.exitCode : 1);
}

const server = createServer((_request, response) => response.end("ok\n"));
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  console.log(`service: listening on ${typeof address === "object" && address?.port}`);
});

for (const signal of /** @type {const} */ (["SIGTERM", "SIGINT"])) {
  process.once(signal, () => {
    server.close();
    void supervisor.stop({ signal });
  });
}

// Resolves after the shutdown: asked for by a signal, or because the worker exited.
const result = await supervisor.wait();
server.close();
console.log(`service: stopped (${result.reason.kind}), exit code ${result.exitCode}`);
process.exitCode = result.exitCode;
