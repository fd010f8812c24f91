// Micro-benchmark of the output relay against plain-Node relays: a child prints 1,000,000 lines of
// 80 bytes as fast as it can; each relay prefixes them (timestamps on) and writes them to a sink.
//
//   pnpm --filter @groundcontrol/core build && node bench/relay-micro.mjs [--lines N] [--runs N] [--devnull]
//
// Each run is a fresh Node process, so no relay benefits from another's warm-up. Figures: median
// wall time from spawn to the relay's last write, lines per second, and the relay's CPU time.

import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { relayBaseline } from "./relay-baseline.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const LINE_BYTES = 80;

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const lineCount = option("--lines", 1_000_000);
const runs = option("--runs", 5);
const devNull = args.includes("--devnull");

// The producer: 80-byte lines in 64 KiB blocks (built once, so the producer is never the
// bottleneck), written with blocking writes.
const PRODUCER = `
  const fs = require("node:fs");
  const perBlock = 819;
  let block = "";
  for (let k = 0; k < perBlock; k++) {
    block += "line " + String(k).padStart(10, "0") + " " + "x".repeat(${LINE_BYTES} - 17) + "\\n";
  }
  const bytes = Buffer.from(block);
  for (let i = 0; i < ${lineCount}; i += perBlock) {
    fs.writeSync(1, i + perBlock <= ${lineCount} ? bytes : bytes.subarray(0, (${lineCount} - i) * ${LINE_BYTES}));
  }`;

/** Discards everything at once: measures the relay, not the destination. */
function nullSink() {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
    writev(_chunks, done) {
      done();
    },
  });
}

const relays = {
  /** Bytes copied through untouched: the ceiling. */
  async pipe(source, sink) {
    await new Promise((resolve) => source.pipe(sink, { end: false }).on("unpipe", resolve));
  },
  /** readline and one write per line: what a first attempt looks like. */
  async naive(source, sink) {
    const lines = createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      sink.write(`${new Date().toISOString()} producer | ${line}\n`);
    }
  },
  /** bench/relay-baseline.mjs: strings, split, one write per chunk. */
  async baseline(source, sink) {
    await relayBaseline(source, "producer", sink);
  },
  async "relay-text"(source, sink) {
    await viaOutputRelay(source, sink, "text");
  },
  async "relay-json"(source, sink) {
    await viaOutputRelay(source, sink, "json");
  },
};

async function viaOutputRelay(source, sink, format) {
  const { OutputRelay } = await import(`${here}../packages/core/dist/output.js`);
  const relay = new OutputRelay({
    format,
    timestamps: true,
    color: false,
    names: ["producer"],
    stdout: sink,
    stderr: process.stderr,
  });
  await relay.attach(source, { process: "producer", phase: "run", stream: "stdout" });
  relay.close();
}

/** One measured run of one relay, inside this (fresh) process. */
async function measure(name) {
  const sink = devNull ? createWriteStream("/dev/null") : nullSink();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ["-e", PRODUCER], { stdio: ["ignore", "pipe", "inherit"] });
  await relays[name](child.stdout, sink);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const used = process.cpuUsage(cpu);
  await new Promise((resolve) => (child.exitCode === null ? child.on("exit", resolve) : resolve()));
  process.stdout.write(`${JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000 })}\n`);
}

function runOnce(name) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), "--measure", name, ...args],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${name} failed`)),
    );
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

if (args[0] === "--measure") {
  await measure(args[1]);
} else {
  console.log(
    `${lineCount} lines of ${LINE_BYTES} bytes, ${runs} runs each, sink: ${devNull ? "/dev/null" : "discarding Writable"}`,
  );
  console.log("relay        median ms   M lines/s   relay CPU ms");
  for (const name of Object.keys(relays)) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await runOnce(name));
    const ms = median(results.map((r) => r.ms));
    const cpu = median(results.map((r) => r.cpuMs));
    console.log(
      `${name.padEnd(12)} ${ms.toFixed(0).padStart(9)} ${(lineCount / ms / 1000).toFixed(2).padStart(11)} ${cpu.toFixed(0).padStart(14)}`,
    );
  }
}
