// Build-time helpers for dist/groundcontrol.cjs: the launcher that carries the bundled program and
// compiles it with V8's code cache, and the step that makes that cache by running the program once.
//
// Why: compiling the ~250 KB program, then each function the first time it runs, was ~10–15 ms of
// CPU at every start, before the first command is spawned. V8 can reuse that work when it is
// given the bytecode it made before (cachedData); Node 20 does not do so for require()d files.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// What stands for "*/" inside the comment that carries the program (it cannot end the comment).
const CLOSE = "*\x01/";
const OPEN_MARK = "/*--- program ---\n";

/**
 * The text of dist/groundcontrol.cjs: a short launcher, then the program in a comment at the end.
 * The launcher reads the program back and compiles it once, with the cache, by vm.Script. (In a
 * string literal, V8 would scan the whole program's escapes first; a comment is skipped at once.)
 * The comment holds the program already in its CommonJS wrapper, so the launcher compiles a
 * slice of the text it read, with no copy: a copy of a string under 128 KB goes to V8's young
 * generation, and two more of them made a garbage collection (~1.3 ms) happen before the first
 * spawn. Line numbers in stack traces stay those of this file. The cache file begins with the
 * program's build id: a cache left from another build is ignored (V8 checks only the length).
 */
export function launcherSource(program) {
  if (program.includes("\x01")) throw new Error("the program may not contain \\x01");
  const id = createHash("sha256").update(program).digest("hex").slice(0, 32);
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${program}\n})`;
  // "*/" inside the comment is stored as CLOSE, and put back only when there is one.
  const putBack = wrapped.includes("*/") ? `.replaceAll(${JSON.stringify(CLOSE)}, "*/")` : "";
  const head = `#!/usr/bin/env node
"use strict";
// The groundcontrol executable: the bundled program is in the comment at the end of this file.
// It is compiled with V8's code cache when groundcontrol.cjs.cache beside this file was made for
// this build and this Node (the build makes it), otherwise as usual. Required rather than run,
// this file only hands out its parts.
const BUILD_ID = ${JSON.stringify(id)};

function compile(cachedData) {
  // utf8: Node's fastest read.
  const text = require("node:fs").readFileSync(__filename, "utf8");
  const start = text.indexOf(${JSON.stringify(`\n${OPEN_MARK}`)}) + ${OPEN_MARK.length + 1};
  const wrapped = text.slice(start, text.lastIndexOf("*/"))${putBack};
  return new (require("node:vm").Script)(wrapped, {
    filename: __filename,
    lineOffset: LINE_OFFSET,
    cachedData,
  });
}

function cachedData() {
  let data;
  try {
    data = require("node:fs").readFileSync(\`\${__filename}.cache\`);
  } catch {
    return undefined;
  }
  const id = Buffer.from(BUILD_ID, "latin1");
  return data.subarray(0, id.length).equals(id) ? data.subarray(id.length) : undefined;
}

if (require.main === module) {
  compile(cachedData()).runInThisContext()(exports, require, module, __filename, __dirname);
} else {
  module.exports = { BUILD_ID, compile, cachedData };
}
`;
  const lineOffset = head.split("\n").length; // the program's first line, counted from 0
  return `${head.replace("LINE_OFFSET", String(lineOffset))}${OPEN_MARK}${wrapped.replaceAll("*/", CLOSE)}*/\n`;
}

// Runs in a child Node: compiles the program as the launcher does, runs it on argv, and at exit
// writes BUILD_ID + the cache (which then holds every function the run compiled).
const MAKER = `
const { writeFileSync } = require("node:fs");
const { createRequire } = require("node:module");
const { dirname } = require("node:path");
const [bundle, ...args] = process.argv.slice(1);
const { BUILD_ID, compile } = require(bundle);
const script = compile(undefined);
process.argv = [process.execPath, bundle, ...args];
process.on("exit", () => {
  writeFileSync(bundle + ".cache", Buffer.concat([Buffer.from(BUILD_ID, "latin1"), script.createCachedData()]));
});
const module_ = { exports: {}, filename: bundle };
script.runInThisContext()(module_.exports, createRequire(bundle), module_, bundle, dirname(bundle));
`;

/**
 * Writes `bundle`.cache by running the program once on a small config that goes through what a
 * start, the relay and a stop by signal use: one daemon prints a line, then sends SIGTERM to its
 * parent (the program, running inside the maker) and waits to be stopped.
 */
export function writeCodeCache(bundle) {
  const dir = mkdtempSync(join(tmpdir(), "groundcontrol-cache-"));
  try {
    const config = join(dir, "groundcontrol.toml");
    writeFileSync(
      config,
      '[[processes]]\nname = "warm-up"\nrun = ["/bin/sh", "-c", "echo ready; kill -TERM $PPID; exec sleep 60"]\n',
    );
    // Node's options are part of what V8 checks: make the cache for a plain `node`.
    const env = { ...process.env };
    for (const name of ["NODE_OPTIONS", "DEBUG", "BREAK_GLASS", "GROUNDCONTROL_CONFIG"]) {
      delete env[name];
    }
    execFileSync(process.execPath, ["-e", MAKER, bundle, config], {
      env,
      stdio: "ignore",
      timeout: 60_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
