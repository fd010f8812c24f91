// (f) Flood: one daemon writes 1 GiB of numbered lines as fast as it can; the manager's stdout is
// a slow reader (this harness, reading at a fixed rate). The manager must stop reading from the
// daemon instead of buffering: its peak RSS must stay under 100 MiB, and no line may be lost —
// the daemon exits after its last line, and the manager must relay all of it before it exits.
//
//   pnpm -r build && node bench/flood.mjs [--manager groundcontrol|baseline|…] [--runs N]
//       [--bytes N[K|M|G]] [--line-bytes N] [--rate MiB/s]
//
// Exits 1 when a run breaks the limits (so it can be run alone, as a check).
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { LineCheck } from "./lib/lines.mjs";
import { managers } from "./lib/managers.mjs";
import { cleanEnv, launch, removeDir, scratchDir, statusMiB, within } from "./lib/proc.mjs";
import { formatSummary, summary } from "./lib/stats.mjs";

const WRITER = fileURLToPath(new URL("./lib/flood-writer.mjs", import.meta.url));

export const FLOOD_DEFAULTS = { bytes: 2 ** 30, lineBytes: 200, rateMiB: 128 };
export const PEAK_LIMIT_MIB = 100;

export const METRICS = [
  { key: "peakMiB", label: "(f) flood 1 GiB, slow reader: peak RSS", unit: "MiB", better: "lower" },
  { key: "lost", label: "(f) flood: lines lost", unit: "lines", better: "lower", digits: 0 },
];

/** One flood through `manager` in `dir`; resolves with peak RSS, lines lost and timings. */
export async function floodOnce(manager, dir, options = FLOOD_DEFAULTS) {
  const { bytes, lineBytes, rateMiB } = { ...FLOOD_DEFAULTS, ...options };
  const lines = Math.floor(bytes / lineBytes);
  const commands = [
    { name: "flood", command: `exec ${process.execPath} ${WRITER} ${bytes} ${lineBytes}` },
  ];
  const argv = manager.argv(commands, dir);
  const { child, started, exit } = launch(argv, {
    env: cleanEnv(manager.env?.(dir)),
    stdio: ["ignore", "pipe", "ignore"],
  });
  const check = new LineCheck(1, lines, lineBytes);
  const rate = (rateMiB * 2 ** 20) / 1000; // bytes per ms
  let peakMiB = 0;
  const sample = () => {
    const own = manager.ownPid(child.pid);
    const hwm = own === undefined ? undefined : statusMiB(own, "VmHWM");
    if (hwm !== undefined && hwm > peakMiB) peakMiB = hwm;
  };
  const sampler = setInterval(sample, 50);

  // The slow reader: never more than `rate` bytes per ms since the first byte.
  let readStart = 0;
  let nudged = false;
  const stream = child.stdout;
  const drained = new Promise((resolve, reject) => {
    stream.on("data", (chunk) => {
      if (readStart === 0) readStart = performance.now();
      check.push(chunk);
      const due = readStart + check.bytes / rate;
      const wait = due - performance.now();
      if (wait >= 1) {
        stream.pause();
        setTimeout(() => stream.resume(), wait);
      }
      // A manager that does not exit once its only daemon has (pm2-runtime keeps running) is
      // asked to, once every line is in.
      if (!nudged && check.whole === lines) {
        nudged = true;
        setTimeout(() => child.exitCode === null && child.kill("SIGTERM"), 2_000).unref();
      }
    });
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  try {
    await within(drained, 600_000, `${manager.id} flood`);
    const exited = await within(exit, 60_000, `${manager.id} exit`);
    sample();
    const result = check.end();
    return {
      peakMiB,
      lost: result.lost,
      broken: result.broken,
      allWhole: result.allWhole,
      seconds: (exited.at - started) / 1000,
      readMiBps: check.bytes / 2 ** 20 / ((performance.now() - readStart) / 1000),
    };
  } finally {
    clearInterval(sampler);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** `1G`, `256M`, `64K` or a plain number of bytes. */
export function parseBytes(text) {
  const match = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(text);
  if (!match) throw new Error(`not a size: ${text}`);
  const scale = { "": 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[match[2].toUpperCase()];
  return Math.round(Number(match[1]) * scale);
}

async function main(args) {
  const option = (name, fallback) => {
    const at = args.indexOf(name);
    return at === -1 ? fallback : args[at + 1];
  };
  const options = {
    bytes: parseBytes(option("--bytes", String(FLOOD_DEFAULTS.bytes))),
    lineBytes: Number(option("--line-bytes", FLOOD_DEFAULTS.lineBytes)),
    rateMiB: Number(option("--rate", FLOOD_DEFAULTS.rateMiB)),
  };
  const runs = Number(option("--runs", "1"));
  const id = option("--manager", "groundcontrol");
  const manager = managers().list.find((m) => m.id === id);
  if (!manager) throw new Error(`unknown manager ${id}`);
  console.log(
    `flood: ${manager.label}, ${options.bytes} bytes in ${options.lineBytes}-byte lines, ` +
      `stdout read at ${options.rateMiB} MiB/s, ${runs} run(s)`,
  );
  const results = [];
  for (let i = 0; i < runs; i++) {
    const dir = scratchDir("flood");
    try {
      const result = await floodOnce(manager, dir, options);
      results.push(result);
      console.log(
        `  run ${i + 1}: peak RSS ${result.peakMiB.toFixed(1)} MiB, lines lost ${result.lost}, ` +
          `broken ${result.broken}, ${result.seconds.toFixed(1)} s, read ${result.readMiBps.toFixed(0)} MiB/s`,
      );
    } finally {
      removeDir(dir);
    }
  }
  const peak = summary(results.map((r) => r.peakMiB));
  const lost = Math.max(...results.map((r) => r.lost));
  const ok = peak.max < PEAK_LIMIT_MIB && results.every((r) => r.allWhole);
  console.log(
    `peak RSS ${formatSummary(peak)} MiB (limit ${PEAK_LIMIT_MIB}), most lines lost in a run: ${lost}: ${ok ? "PASS" : "FAIL"}`,
  );
  return ok ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
