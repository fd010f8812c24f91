// Random mutations of valid configs (deleted, duplicated and retyped keys, truncation, garbage
// bytes) must never crash --check: exit 0 or 2, a report on stderr when 2, never a stack trace.
// Thousands run in-process through check() (what main runs for --check); a few hundred through
// the real executable. FUZZ_SEED=<n> replays a run.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { check } from "../src/check.js";
import { runCli, STACK_FRAME } from "./run-cli.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_501);
const IN_PROCESS = 3000;
const THROUGH_BINARY = 200;
const PARALLEL = 4;

const VALID_CONFIGS = [
  `suppress_timestamps = false
log-format = "text"
shutdown-timeout = "25s"

[env]
LITESTREAM_DB = "/data/app.db"

[[processes]]
name = "litestream"
pre  = "litestream restore -if-replica-exists {{LITESTREAM_DB}}"
run  = { user = "app", only-env = ["AWS_ACCESS_KEY_ID"], command = ["litestream", "replicate"] }
stop = "SIGINT"
stop-timeout = "10s"
post = ["/bin/echo", "bye"]
ready = { tcp = "127.0.0.1:5432", timeout = "30s" }
`,
  `suppress-timestamps = true
log-format = "json"

[[processes]]
name = "migrate"
pre.command = "app migrate --to 'latest version'"
pre.env = { MODE = "safe" }
pre.cwd = "/srv"

[[processes]]
name = "web"
run = ["node", "server.js"]
stop = { command = ["curl", "-X", "POST", "http://localhost/quit"], user = "1000:1000" }
[processes.ready]
http = "http://[::1]:3000/healthz"
interval = 0.5
`,
  `[[processes]]
name = "a"
run = "daemon --flag"
ready = { log = 'listening on \\d+', timeout = 5 }

[[processes]]
name = "b"
run = { command = "b", only-env = [] }
ready.fd = 3
stop = ["kill", "-TERM", "1"]

[[processes]]
name = "c"
post = "cleanup"
`,
  `processes = [
  { name = "x", run = "x", ready = { file = "/tmp/x.ready" } },
  { name = "y", pre = ["y", "--once"], run = "y", ready = { command = { command = "true" } } },
]
`,
];

const REPLACEMENT_VALUES = [
  "5",
  "-3",
  "0",
  "1.5",
  "inf",
  "nan",
  "true",
  '""',
  '"x"',
  '"   "',
  '"SIGFOO"',
  '"SIGHUP"',
  '"sigterm"',
  '"10 s"',
  '"250ms"',
  '"a:b:c"',
  '"[::1]:99999"',
  "'unterminated \"quote'",
  '"trailing \\\\"',
  "[]",
  "[[]]",
  '[1, "a"]',
  '["", "x"]',
  "{}",
  "{ command = 5 }",
  '{ command = "x", bogus = 1 }',
  '{ tcp = "a:1", http = "http://a/" }',
  "1979-05-27T07:32:00Z",
  '"""multi\nline"""',
  '{ __proto__ = "x" }',
  '{ constructor = "x" }',
];

const TOKENS = [
  "[",
  "]",
  "[[",
  "]]",
  "{",
  "}",
  '"',
  "'",
  "=",
  ",",
  ".",
  "#",
  "\n",
  "\\",
  "[[processes]]\n",
  'name = "a"\n',
];

type Random = () => number;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function random(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: Random, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const int = (rand: Random, max: number) => Math.floor(rand() * max);

function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      lines.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

const MUTATIONS: ((bytes: Buffer, rand: Random) => Buffer)[] = [
  function deleteLine(bytes, rand) {
    const lines = splitLines(bytes);
    lines.splice(int(rand, lines.length), 1);
    return Buffer.concat(lines);
  },
  function duplicateLine(bytes, rand) {
    const lines = splitLines(bytes);
    const line = pick(rand, lines) ?? Buffer.alloc(0);
    lines.splice(int(rand, lines.length + 1), 0, line);
    return Buffer.concat(lines);
  },
  function swapLines(bytes, rand) {
    const lines = splitLines(bytes);
    const a = int(rand, lines.length);
    const b = int(rand, lines.length);
    [lines[a], lines[b]] = [lines[b]!, lines[a]!];
    return Buffer.concat(lines);
  },
  function retypeValue(bytes, rand) {
    const lines = splitLines(bytes);
    const candidates = lines
      .map((line, i) => [line, i] as const)
      .filter(([line]) => line.includes(" = "));
    if (candidates.length === 0) return bytes;
    const [line, index] = pick(rand, candidates);
    const text = line.toString("latin1");
    const at = text.indexOf(" = ");
    lines[index] = Buffer.from(
      `${text.slice(0, at)} = ${pick(rand, REPLACEMENT_VALUES)}\n`,
      "latin1",
    );
    return Buffer.concat(lines);
  },
  function truncate(bytes, rand) {
    return bytes.subarray(0, int(rand, bytes.length + 1));
  },
  function insertGarbage(bytes, rand) {
    const garbage = Buffer.from(Array.from({ length: 1 + int(rand, 8) }, () => int(rand, 256)));
    const at = int(rand, bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, at), garbage, bytes.subarray(at)]);
  },
  function insertToken(bytes, rand) {
    const at = int(rand, bytes.length + 1);
    return Buffer.concat([
      bytes.subarray(0, at),
      Buffer.from(pick(rand, TOKENS)),
      bytes.subarray(at),
    ]);
  },
  function deleteBytes(bytes, rand) {
    const at = int(rand, bytes.length);
    return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + int(rand, 4))]);
  },
];

/** One to three mutations of one of the valid configs. */
function mutant(rand: Random): Buffer {
  let bytes: Buffer = Buffer.from(pick(rand, VALID_CONFIGS));
  const count = 1 + int(rand, 3);
  for (let i = 0; i < count; i++) bytes = pick(rand, MUTATIONS)(bytes, rand);
  return bytes;
}

const dir = mkdtempSync(join(tmpdir(), "gc-fuzz-"));

// --check makes no TLS connection, and Node reads NODE_EXTRA_CA_CERTS at every start (about
// 90 ms of CPU per process on this kind of machine): leave it out of the fuzzed runs.
const { NODE_EXTRA_CA_CERTS: _unused, ...cliEnv } = process.env;

function describeCase(index: number, bytes: Buffer): string {
  return `case ${index} (FUZZ_SEED=${SEED}), input as base64: ${bytes.toString("base64")}`;
}

describe("fuzzing --check", () => {
  it("accepts every seed config as it is", async () => {
    for (const [index, text] of VALID_CONFIGS.entries()) {
      const file = join(dir, `seed-${index}.toml`);
      writeFileSync(file, text);
      const result = await check(file, { json: false, strict: false });
      expect(result.stderr, `seed ${index}`).toBe("");
      expect(result.exitCode).toBe(0);
    }
  });

  it(`never crashes on ${IN_PROCESS} mutations, in-process`, async () => {
    const rand = random(SEED);
    const file = join(dir, "mutant.toml");
    const outcomes = { 0: 0, 2: 0 };
    for (let index = 0; index < IN_PROCESS; index++) {
      const bytes = mutant(rand);
      writeFileSync(file, bytes);
      const json = rand() < 0.5;
      let result: Awaited<ReturnType<typeof check>>;
      try {
        result = await check(file, { json, strict: false });
      } catch (error) {
        throw new Error(`check() threw ${(error as Error)?.stack}\n${describeCase(index, bytes)}`);
      }
      const where = describeCase(index, bytes);
      expect([0, 2], where).toContain(result.exitCode);
      outcomes[result.exitCode]++;
      if (result.exitCode === 2)
        expect(result.stderr, where).toMatch(/invalid config \(\d+ problems?\)\n.+/);
      else expect(result.stdout, where).not.toBe("");
      expect(result.stderr, where).not.toMatch(STACK_FRAME);
      if (json) expect(() => JSON.parse(result.stdout), where).not.toThrow();
    }
    // The mutations must exercise both outcomes, or they test nothing.
    expect(outcomes[0]).toBeGreaterThan(IN_PROCESS / 50);
    expect(outcomes[2]).toBeGreaterThan(IN_PROCESS / 2);
  });

  it(`never crashes on ${THROUGH_BINARY} mutations through the executable`, {
    timeout: 120_000,
  }, async () => {
    const rand = random(SEED + 1);
    const cases = Array.from({ length: THROUGH_BINARY }, (_, index) => {
      const bytes = mutant(rand);
      const file = join(dir, `binary-${index}.toml`);
      writeFileSync(file, bytes);
      return { index, bytes, file };
    });
    for (let start = 0; start < cases.length; start += PARALLEL) {
      const batch = cases.slice(start, start + PARALLEL);
      const results = await Promise.all(
        batch.map(({ file }) => runCli(["--check", file], { env: cliEnv })),
      );
      results.forEach((result, i) => {
        const { index, bytes } = batch[i]!;
        const where = `${describeCase(index, bytes)}\nstderr: ${result.stderr}`;
        expect([0, 2], where).toContain(result.code);
        if (result.code === 2)
          expect(result.stderr, where).toMatch(/invalid config \(\d+ problems?\)\n.+/);
        expect(result.stderr, where).not.toMatch(STACK_FRAME);
      });
    }
  });
});
