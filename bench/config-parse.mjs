// How long reading a large groundcontrol.toml takes: parse + validate of a generated
// 200-process file (first run, then median/min/max of many), and the same file with an error
// in every process (the report path, which also locates each issue). Not a test.
//
//   pnpm -r build && node bench/config-parse.mjs [RUNS]

import { performance } from "node:perf_hooks";

const RUNS = Number(process.argv[2] ?? 200);
const PROCESSES = 200;

function generate(count, broken) {
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
const parseRuns = Array.from({ length: RUNS }, () =>
  time(() => parseConfig(bytes, { file: "bench.toml" })),
);
const tomlRuns = Array.from({ length: RUNS }, () => time(() => parseToml(valid)));
let issues = 0;
const brokenRuns = Array.from({ length: RUNS }, () =>
  time(() => {
    try {
      parseConfig(broken, { file: "bench.toml" });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues = error.issues.length;
    }
  }),
);

console.log(
  `config-parse: ${PROCESSES} processes, ${bytes.length} bytes, ${RUNS} runs, node ${process.version}`,
);
console.log(`  import @groundcontrol/config:  ${importMs.toFixed(2)} ms`);
console.log(`  first parse + validate:        ${firstMs.toFixed(2)} ms`);
console.log(`  parse + validate (warm):       ${stats(parseRuns)}`);
console.log(`    of which TOML parsing alone: ${stats(tomlRuns)}`);
console.log(`  invalid file, ${issues} issues located: ${stats(brokenRuns)}`);
