// A minimal plain-Node process runner, the yardstick Ground Control must at least match: spawn
// every command at once, relay each chunk's lines with a timestamp and the name (one write per
// chunk), SIGTERM/SIGINT every child on SIGTERM/SIGINT, exit once every child has exited.
// No features: no order, no stop timeout, no reaping, no config.
//
//   node bench/relay-baseline.mjs NAME=COMMAND [NAME=COMMAND…]   (COMMAND run by /bin/sh -c)

import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";

/** Relays `source` line by line to `destination`, pausing while `destination` is full. */
export function relayBaseline(source, name, destination) {
  return new Promise((resolve) => {
    let tail = "";
    source.setEncoding("utf8");
    source.on("data", (text) => {
      const lines = (tail + text).split("\n");
      tail = lines.pop();
      if (lines.length === 0) return;
      const prefix = `${new Date().toISOString()} ${name} | `;
      if (!destination.write(`${prefix}${lines.join(`\n${prefix}`)}\n`)) {
        source.pause();
        destination.once("drain", () => source.resume());
      }
    });
    source.on("end", () => {
      if (tail !== "") destination.write(`${new Date().toISOString()} ${name} | ${tail}\n`);
      resolve();
    });
  });
}

function main(specs) {
  const width = Math.max(...specs.map((spec) => spec.split("=")[0].length));
  const children = specs.map((spec) => {
    const at = spec.indexOf("=");
    const name = spec.slice(0, at).padEnd(width);
    const child = spawn("/bin/sh", ["-c", spec.slice(at + 1)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    relayBaseline(child.stdout, name, process.stdout);
    relayBaseline(child.stderr, name, process.stderr);
    return child;
  });
  for (const signal of ["SIGTERM", "SIGINT"]) {
    // Signal handlers do not keep Node alive: it exits once the children and their pipes are done.
    process.on(signal, () => {
      for (const child of children) if (child.exitCode === null) child.kill(signal);
    });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2));
}
