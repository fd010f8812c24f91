// The benchmark suite, run on demand (never by `pnpm test`): Ground Control beside a minimal
// plain-Node relay, and beside pm2-runtime, concurrently and the original Rust Ground Control when
// they are on PATH. Every case runs each manager in turn (interleaved, order rotated), reports the
// median with min–max, and the ratio to the baseline measured in the same run.
//
//   pnpm -r build && pnpm bench [--quick] [--runs N] [--startup-runs N] [--flood-runs N] [CASE…]
//       [--managers ID,ID] [--no-pid1] [--no-peers] [--flood-peers] [--rust PATH] [--json FILE]
//
// CASE: startup relay flood config cli (default: all). Raw samples go to bench/results/latest.json.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, release } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BRIDGE_METRICS,
  bridgeOnce,
  cliCommands,
  execOnce,
  startStatusTarget,
} from "./cases/cli.mjs";
import { prepareRelay, METRICS as RELAY, relayOnce } from "./cases/relay.mjs";
import { METRICS as STARTUP, startupOnce } from "./cases/startup.mjs";
import { FLOOD_DEFAULTS, floodOnce, PEAK_LIMIT_MIB } from "./flood.mjs";
import { BUNDLE, groundcontrolVersion, managers } from "./lib/managers.mjs";
import { removeDir, scratchDir } from "./lib/proc.mjs";
import { formatRatio, formatSummary, summary } from "./lib/stats.mjs";

const ALL_CASES = ["startup", "relay", "flood", "config", "cli"];
const BUILT_IN = { baseline: true, groundcontrol: true };
const here = dirname(fileURLToPath(import.meta.url));

function parseOptions(argv) {
  const value = (name) => {
    const at = argv.indexOf(name);
    return at === -1 ? undefined : argv[at + 1];
  };
  const quick = argv.includes("--quick");
  const runs = Number(value("--runs") ?? (quick ? 3 : 7));
  const cases = argv.filter((a) => ALL_CASES.includes(a));
  return {
    quick,
    runs,
    floodRuns: Number(value("--flood-runs") ?? (quick ? 1 : 5)),
    // Start-up times on a shared 2-core VM vary by ±20% from run to run, and the goal is a
    // ratio of 1.1: 31 runs of each manager keep a median within ~1 ms. A run is cheap.
    startupRuns: Number(value("--startup-runs") ?? value("--runs") ?? (quick ? 5 : 31)),
    cases: cases.length > 0 ? cases : ALL_CASES,
    only: value("--managers")?.split(","),
    pid1: !argv.includes("--no-pid1"),
    peers: !argv.includes("--no-peers"),
    rust: value("--rust"),
    floodPeers: argv.includes("--flood-peers"),
    json: value("--json") ?? `${here}/results/latest.json`,
    relayLines: quick ? 50_000 : 250_000,
    flood: { ...FLOOD_DEFAULTS, bytes: quick ? 2 ** 28 : FLOOD_DEFAULTS.bytes },
  };
}

function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  return {
    cpus: availableParallelism(),
    model: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "unknown",
    node: process.version,
    kernel: release(),
    groundcontrol: groundcontrolVersion(),
    date: new Date().toISOString(),
  };
}

/**
 * Runs `once(manager, dir)` `runs` times for every manager, interleaved, after `warmup` unrecorded
 * rounds (file caches). Returns samples (or the error) by manager id.
 */
async function repeat(list, runs, once, warmup = 1) {
  const samples = Object.fromEntries(list.map((m) => [m.id, []]));
  const errors = {};
  for (let r = -warmup; r < runs; r++) {
    const shift = ((r % list.length) + list.length) % list.length;
    for (const manager of [...list.slice(shift), ...list.slice(0, shift)]) {
      if (errors[manager.id]) continue;
      const dir = scratchDir(manager.id);
      try {
        const result = await once(manager, dir);
        if (r >= 0) samples[manager.id].push(result);
        process.stderr.write(".");
      } catch (error) {
        errors[manager.id] = error.message;
        process.stderr.write("x");
      } finally {
        removeDir(dir);
      }
    }
  }
  process.stderr.write("\n");
  return { samples, errors };
}

/** The baseline a manager is compared with: the one in the same pid namespace situation. */
function baselineOf(manager, list) {
  return list.find((m) => m.baseline && Boolean(m.pid1) === Boolean(manager.pid1));
}

function medianOf(samples, id, metric) {
  return summary((samples[id] ?? []).map((r) => r[metric.key] * (metric.scale ?? 1))).median;
}

/** A markdown table: one row per manager, each metric's median (min–max) and ratio to the baseline. */
function table(list, metrics, { samples, errors }, extra = []) {
  const head = ["manager"];
  for (const m of metrics) head.push(`${m.label}, ${m.unit}`, "× baseline");
  for (const e of extra) head.push(e.label);
  const rows = [head, head.map(() => "---")];
  for (const manager of list) {
    if (errors[manager.id]) {
      rows.push([manager.label, `failed: ${errors[manager.id]}`]);
      continue;
    }
    const base = baselineOf(manager, list);
    const row = [manager.label];
    for (const metric of metrics) {
      const values = samples[manager.id].map((r) => r[metric.key] * (metric.scale ?? 1));
      const s = summary(values);
      row.push(formatSummary(s, metric.digits ?? (metric.scale ? 2 : 1)));
      row.push(base ? formatRatio(s.median, medianOf(samples, base.id, metric)) : "");
    }
    for (const e of extra) row.push(e.cell(samples[manager.id]));
    rows.push(row);
  }
  return rows.map((r) => `| ${r.join(" | ")} |`).join("\n");
}

function print(title, body) {
  console.log(`\n### ${title}\n\n${body}`);
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(BUNDLE)) {
    console.error(`${BUNDLE} is missing: run \`pnpm -r build\` first`);
    return 2;
  }
  const about = machine();
  const { list: all, notes } = managers({
    pid1: options.pid1,
    peers: options.peers,
    rust: options.rust,
  });
  const list = options.only ? all.filter((m) => m.baseline || options.only.includes(m.id)) : all;
  const plain = list.filter((m) => !m.pid1);
  console.log(
    `## Ground Control benchmarks\n\n${about.groundcontrol}, Node ${about.node}, ` +
      `${about.cpus} × ${about.model}, Linux ${about.kernel}, ${about.date}\n` +
      `runs: ${options.runs} (start-up ${options.startupRuns}, flood ${options.floodRuns}); ` +
      "cells are median (min–max)" +
      `${options.quick ? "; --quick: smaller relay and flood" : ""}`,
  );
  for (const note of notes) console.log(`- ${note}`);
  const results = { machine: about, options };

  if (options.cases.includes("startup")) {
    process.stderr.write("startup ");
    const r = await repeat(list, options.startupRuns, startupOnce);
    results.startup = r;
    const left = {
      label: "left running",
      cell: (s) => String(s.reduce((n, x) => n + x.leftBehind, 0)),
    };
    print("Start, idle and stop, 10 daemons", table(list, STARTUP, r, [left]));
  }

  if (options.cases.includes("relay")) {
    process.stderr.write("relay ");
    const data = scratchDir("relay-data");
    try {
      const files = prepareRelay(data, 4, options.relayLines);
      const r = await repeat(plain, options.runs, (m, dir) =>
        relayOnce(m, dir, files, options.relayLines),
      );
      results.relay = r;
      const whole = {
        label: "every line whole",
        cell: (s) => {
          const bad = s.filter((x) => !x.allWhole);
          if (bad.length === 0) return `yes (${s.length}/${s.length} runs)`;
          const lost = Math.max(...bad.map((x) => x.lost));
          return `NO in ${bad.length}/${s.length} runs (up to ${lost} lost, ${Math.max(...bad.map((x) => x.broken))} broken)`;
        },
      };
      print(
        `Relay, 4 × ${options.relayLines.toLocaleString("en")} lines of 80 bytes`,
        table(plain, RELAY, r, [whole]),
      );
    } finally {
      removeDir(data);
    }
  }

  if (options.cases.includes("flood")) {
    process.stderr.write("flood ");
    const f = options.flood;
    // Peers only on request: a manager that loses lines never finishes the flood on its own.
    const flooded = options.floodPeers ? plain : plain.filter((m) => m.id in BUILT_IN);
    const r = await repeat(flooded, options.floodRuns, (m, dir) => floodOnce(m, dir, f), 0);
    results.flood = r;
    const metrics = [
      { key: "peakMiB", label: "peak RSS", unit: "MiB" },
      { key: "seconds", label: "exec to exit", unit: "s" },
    ];
    const lost = {
      label: "lines lost (worst run)",
      cell: (s) => String(Math.max(...s.map((x) => x.lost + x.broken))),
    };
    print(
      `Flood: ${f.bytes / 2 ** 20} MiB in ${f.lineBytes}-byte lines, stdout read at ${f.rateMiB} MiB/s`,
      table(flooded, metrics, r, [lost]),
    );
  }

  if (options.cases.includes("config")) {
    process.stderr.write("config ");
    const samples = [];
    for (let i = 0; i < options.runs; i++) {
      const out = spawnSync(process.execPath, [`${here}/config-parse.mjs`, "50", "--json"], {
        encoding: "utf8",
      });
      if (out.status !== 0) throw new Error(`config-parse failed: ${out.stderr}`);
      samples.push(JSON.parse(out.stdout));
      process.stderr.write(".");
    }
    process.stderr.write("\n");
    results.config = samples;
    const rows = [
      ["import @groundcontrol/config", "importMs"],
      ["first parse + validate", "firstMs"],
      ["parse + validate, warm (median of 50)", "warmMs"],
      ["  of which TOML parsing alone", "tomlMs"],
      ["invalid file, 200 issues located, warm", "brokenMs"],
    ];
    print(
      "(g) Config: parse + validate a 200-process groundcontrol.toml (fresh process per run)",
      [
        "| step | ms |",
        "| --- | --- |",
        ...rows.map(
          ([label, key]) =>
            `| ${label} | ${formatSummary(summary(samples.map((s) => s[key])), 2)} |`,
        ),
      ].join("\n"),
    );
  }

  if (options.cases.includes("cli")) {
    process.stderr.write("cli ");
    const dir = scratchDir("cli");
    let target;
    try {
      const commands = cliCommands(dir);
      target = await startStatusTarget(dir);
      const times = Object.fromEntries(commands.map((c) => [c.id, []]));
      const bridge = [];
      for (let r = -1; r < options.runs; r++) {
        for (const command of commands) {
          const ms = await execOnce(command);
          if (r >= 0) times[command.id].push(ms);
        }
        if (r >= 0) bridge.push(bridgeOnce());
        process.stderr.write(".");
      }
      process.stderr.write("\n");
      results.cli = { times, bridge };
      const node = summary(times.node).median;
      print(
        "Start-up breakdown: exec to exit",
        [
          "| command | ms | − Node alone |",
          "| --- | --- | --- |",
          ...commands.map((c) => {
            const s = summary(times[c.id]);
            return `| ${c.label} | ${formatSummary(s)} | ${c.id === "node" ? "" : `+${(s.median - node).toFixed(1)}`} |`;
          }),
          ...BRIDGE_METRICS.map(
            (m) =>
              `| ${m.label} (in-process) | ${formatSummary(summary(bridge.map((b) => b[m.key])))} | |`,
          ),
        ].join("\n"),
      );
    } finally {
      await target?.stop();
      removeDir(dir);
    }
  }

  const verdicts = targets(results, list);
  if (verdicts.length > 0)
    print("Targets (Ground Control ÷ baseline, same run)", verdicts.join("\n"));

  mkdirSync(dirname(options.json), { recursive: true });
  writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nraw samples: ${options.json}`);
  return verdicts.some((v) => v.includes("FAIL")) ? 1 : 0;
}

/** The goals Ground Control is held to, checked against this run's medians. */
function targets(results, list) {
  const lines = [];
  const check = (what, value, limit, pass) => {
    const shown = typeof value === "number" ? value.toFixed(2) : value;
    lines.push(`- ${pass ? "PASS" : "FAIL"} ${what}: ${shown} (goal ${limit})`);
  };
  const ratio = (r, key, scale = 1, id = "groundcontrol") => {
    const gc = summary(r.samples[id]?.map((x) => x[key] * scale) ?? []).median;
    const base = summary(r.samples.baseline?.map((x) => x[key] * scale) ?? []).median;
    return gc / base;
  };
  if (results.startup && list.some((m) => m.id === "groundcontrol")) {
    const r = results.startup;
    const first = ratio(r, "firstMs");
    check("exec → first child", first, "≤ 1.25×", first <= 1.25);
    if (r.samples["groundcontrol-standalone"]) {
      const sea = ratio(r, "firstMs", 1, "groundcontrol-standalone");
      check("exec → first child, standalone binary", sea, "≤ 1.25×", sea <= 1.25);
    }
    const rss = ratio(r, "rssMiB");
    check("idle RSS, 10 daemons", rss, "≤ 1.15×", rss <= 1.15);
    const stop = ratio(r, "stopMs");
    check("SIGTERM → exit, 10 daemons", stop, "≤ 2.00×", stop <= 2);
  }
  if (results.relay?.samples.groundcontrol) {
    const r = results.relay;
    const speed = ratio(r, "linesPerSec");
    const whole = r.samples.groundcontrol.every((x) => x.allWhole);
    check("relay, timestamps on (while relaying)", speed, "≥ 1.00×", speed >= 1);
    const exec = ratio(r, "linesPerSecExec");
    lines.push(`- info: relay from exec to exit, start-up and stop included: ${exec.toFixed(2)}×`);
    check("relay: every line whole", whole ? "yes" : "no", "yes", whole);
  }
  if (results.flood?.samples.groundcontrol) {
    const s = results.flood.samples.groundcontrol;
    const peak = Math.max(...s.map((x) => x.peakMiB));
    const lost = Math.max(...s.map((x) => x.lost + x.broken));
    check(
      "flood: peak RSS, worst run",
      `${peak.toFixed(1)} MiB`,
      `< ${PEAK_LIMIT_MIB} MiB`,
      peak < PEAK_LIMIT_MIB,
    );
    check("flood: lines lost, worst run", String(lost), "0", lost === 0);
  }
  return lines;
}

process.exitCode = await main();
