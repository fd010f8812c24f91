// Soak: a `run` that crashes every 50 ms is restarted for ten minutes (restart on = "always",
// max = 100000 within 1s, backoff 1ms; max-backoff 1ms too, or the doubling within the window
// would slow it to one restart every 30 s), while another process logs 1,000 numbered lines a
// second. Ground Control's RSS and open descriptors after the first minute and at the end must
// not grow beyond noise, no zombie may be left, and no line lost.
//
//   pnpm -r build && node bench/soak.mjs [--minutes 10]      (pnpm bench:soak)
//
// Prints a table and exits 1 when zombies remain or a line was lost.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLE } from "./lib/managers.mjs";
import { cleanEnv, launch, removeDir, scratchDir, statusMiB, within } from "./lib/proc.mjs";

const minutes = Number(process.argv[process.argv.indexOf("--minutes") + 1] || 10);
if (!(minutes >= 1)) throw new Error("--minutes takes a number of at least 1");

const dir = scratchDir("soak");
const config = join(dir, "groundcontrol.toml");
writeFileSync(
  config,
  `suppress_timestamps = true

[[processes]]
name = "logger"
run = ["${process.execPath}", "-e", "let n = 0; setInterval(() => { for (let i = 0; i < 10; i++) console.log('line ' + ++n); }, 10)"]

[[processes]]
name = "crasher"
run = ["/bin/sh", "-c", "sleep 0.05; exit 1"]
restart = { on = "always", max = 100000, within = "1s", backoff = "1ms", max-backoff = "1ms" }
`,
);

/** Ground Control's RSS, open descriptors and zombie children. */
function sample(pid) {
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/);
  const zombies = children.filter((child) => {
    try {
      return /^State:\s+Z/m.test(readFileSync(`/proc/${child}/status`, "utf8"));
    } catch {
      return false;
    }
  }).length;
  return { rssMiB: statusMiB(pid, "VmRSS"), fds, zombies };
}

const { child, exit } = launch([process.execPath, BUNDLE, config], {
  env: cleanEnv(),
  stdio: ["ignore", "pipe", "pipe"],
});
// Lines are counted as they come, never kept: the check must not be what grows.
let expected = 1;
let lost = 0;
let partial = "";
child.stdout.setEncoding("utf8").on("data", (chunk) => {
  const lines = (partial + chunk).split("\n");
  partial = lines.pop();
  for (const line of lines) {
    const match = /^logger +\| line (\d+)$/.exec(line);
    if (!match) continue;
    const n = Number(match[1]);
    if (n !== expected) lost += Math.abs(n - expected);
    expected = n + 1;
  }
});
// Only the count of restarts is needed from stderr, never ten minutes of log. (A line cut in two
// by a chunk boundary goes uncounted: the figure is a lower bound.)
let restartLines = 0;
child.stderr.setEncoding("utf8").on("data", (chunk) => {
  restartLines += (chunk.match(/restart \d+ in/g) ?? []).length;
});

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const samples = [];
for (let minute = 1; minute <= minutes; minute++) {
  await wait(60_000);
  samples.push({ minute, ...sample(child.pid), restarts: restartLines });
  const last = samples.at(-1);
  console.log(
    `minute ${minute}: RSS ${last.rssMiB.toFixed(1)} MiB, ${last.fds} descriptors, ${last.zombies} zombies, ${last.restarts} restarts, ${expected - 1} lines`,
  );
}
child.kill("SIGTERM");
const done = await within(exit, 30_000, "soak");
removeDir(dir);

const first = samples[0];
const final = samples.at(-1);
console.log(`
| after | RSS, MiB | open descriptors | zombies | restarts so far | lines relayed |
| --- | --- | --- | --- | --- | --- |
| minute 1 | ${first.rssMiB.toFixed(1)} | ${first.fds} | ${first.zombies} | ${first.restarts} | |
| minute ${final.minute} | ${final.rssMiB.toFixed(1)} | ${final.fds} | ${final.zombies} | ${final.restarts} | ${expected - 1} |

exit code ${done.code}; lines lost: ${lost}; RSS growth from minute 1: ${(final.rssMiB - first.rssMiB).toFixed(1)} MiB`);
process.exitCode = lost === 0 && samples.every((s) => s.zombies === 0) ? 0 : 1;
