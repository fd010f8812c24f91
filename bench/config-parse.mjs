// How long reading a large groundcontrol.toml takes: parse + validate of a generated
// 200-process file (first run, then median/min/max of many), and the same file with an error
// in every process (the report path, which also locates each issue). Not a test.
//
//   pnpm -r build && node bench/config-parse.mjs [RUNS] [--json]
//
// bench/run.mjs runs it several times with --json, each a fresh process, so "first" stays cold.

import { performance } from "node:perf_hooks";

const PROCESSES = 200;

export function generate(count, broken) {
  const lines = [
    'log-format = "text"',
    'shutdown-timeout = "25s"',
    "",
    "[env]",
    'APP_DB = "/data/app.db"',
    "",
  ];
  for (let i = 0; i < count; i++) {
    lines.push("[[processes]]", `name = "proc-${i}"`);
    switch (i % 4) {
      case 0:
        lines.push(
          `pre = "migrate --db {{APP_DB}} --step ${i}"`,
          `run = ["/usr/bin/server", "--port", "${8000 + i}"]`,
        );
        lines.push(`ready = { tcp = "127.0.0.1:${8000 + i}", timeout = "30s" }`);
        break;
      case 1:
        lines.push(
          `run = { user = "app", only-env = ["HOME", "APP_DB"], command = "worker 'queue ${i}'" }`,
        );
        lines.push('stop = "SIGINT"', 'stop-timeout = "5s"');
        break;
      case 2:
        lines.push(
          "[processes.run]",
          `command = ["cron", "-f"]`,
          `env = { SLOT = "${i}" }`,
          'cwd = "/srv"',
        );
        break;
      default:
        lines.push(`post = ["/bin/echo", "bye ${i}"]`);
    }
    if (broken) lines.push(`colour = ${i}`);
    lines.push("");
  }
  return lines.join("\n");
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `median ${median.toFixed(2)} ms, min ${sorted[0].toFixed(2)} ms, max ${sorted.at(-1).toFixed(2)} ms`;
}

function time(fn) {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

const median = (samples) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

/** Imports the config package and times it on the generated files, in this process. */
export async function measureConfigParse(runs) {
  const importStart = performance.now();
  const { parseConfig, ConfigError } = await import("../packages/config/dist/index.js");
  const { parse: parseToml } = await import(
    "../packages/config/node_modules/smol-toml/dist/index.js"
  );
  const importMs = performance.now() - importStart;

  const valid = generate(PROCESSES, false);
  const broken = generate(PROCESSES, true);
  const bytes = new TextEncoder().encode(valid);

  const firstMs = time(() => parseConfig(bytes, { file: "bench.toml" }));
  const parseRuns = Array.from({ length: runs }, () =>
    time(() => parseConfig(bytes, { file: "bench.toml" })),
  );
  const tomlRuns = Array.from({ length: runs }, () => time(() => parseToml(valid)));
  let issues = 0;
  const brokenRuns = Array.from({ length: runs }, () =>
    time(() => {
      try {
        parseConfig(broken, { file: "bench.toml" });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        issues = error.issues.length;
      }
    }),
  );
  return { bytes: bytes.length, importMs, firstMs, parseRuns, tomlRuns, brokenRuns, issues };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 200);
  const m = await measureConfigParse(runs);
  if (args.includes("--json")) {
    const { parseRuns, tomlRuns, brokenRuns, ...rest } = m;
    const warmMs = median(parseRuns);
    const tomlMs = median(tomlRuns);
    const brokenMs = median(brokenRuns);
    console.log(JSON.stringify({ ...rest, warmMs, tomlMs, brokenMs }));
  } else {
    console.log(
      `config-parse: ${PROCESSES} processes, ${m.bytes} bytes, ${runs} runs, node ${process.version}`,
    );
    console.log(`  import @groundcontrol/config:  ${m.importMs.toFixed(2)} ms`);
    console.log(`  first parse + validate:        ${m.firstMs.toFixed(2)} ms`);
    console.log(`  parse + validate (warm):       ${stats(m.parseRuns)}`);
    console.log(`    of which TOML parsing alone: ${stats(m.tomlRuns)}`);
    console.log(`  invalid file, ${m.issues} issues located: ${stats(m.brokenRuns)}`);
  }
}
