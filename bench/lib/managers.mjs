// The process managers compared, each told to run the same list of /bin/sh -c commands: the
// plain-Node baseline, Ground Control (also as PID 1 of a new pid namespace), and whichever
// other managers are installed. Each writes its own config file and says which pid is its own.
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { childrenOf } from "./proc.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
export const BUNDLE = join(repo, "packages/cli/dist/groundcontrol.cjs");
const BASELINE = join(repo, "bench/relay-baseline.mjs");

/**
 * @typedef {{ name: string, command: string }} Command   one process, its command for /bin/sh -c
 * @typedef {{
 *   id: string, label: string, baseline?: boolean, pid1?: boolean,
 *   argv(commands: Command[], dir: string): string[],
 *   ownPid(launched: number): number | undefined,
 * }} Manager
 */

/** Ground Control's config for `commands`: the same file the original Rust Ground Control reads. */
export function groundcontrolToml(commands, extra = "") {
  const parts = [extra];
  for (const { name, command } of commands) {
    parts.push(
      `[[processes]]\nname = ${JSON.stringify(name)}\nrun = ["/bin/sh", "-c", ${JSON.stringify(command)}]\n`,
    );
  }
  return parts.join("\n");
}

const direct = (pid) => pid;
// `unshare --fork` waits for the one child it forked; that child is the manager, PID 1 inside.
const inNamespace = (pid) => childrenOf(pid)[0];
const UNSHARE = ["unshare", "--pid", "--fork", "--mount-proc"];

/** @type {Manager} */
const baseline = {
  id: "baseline",
  label: "plain Node relay (baseline)",
  baseline: true,
  argv: (commands) => [
    process.execPath,
    BASELINE,
    ...commands.map(({ name, command }) => `${name}=${command}`),
  ],
  ownPid: direct,
};

/** @type {Manager} */
const groundcontrol = {
  id: "groundcontrol",
  label: "Ground Control",
  argv(commands, dir) {
    const file = join(dir, "groundcontrol.toml");
    writeFileSync(file, groundcontrolToml(commands));
    return [process.execPath, BUNDLE, file];
  },
  ownPid: direct,
};

/** The standalone binary, when `pnpm --filter @groundcontrol/cli build:sea` has made it. */
export const STANDALONE = join(repo, "packages/cli/standalone/groundcontrol");

/** @type {Manager} */
const standalone = {
  id: "groundcontrol-standalone",
  label: "Ground Control, standalone binary",
  argv(commands, dir) {
    const file = join(dir, "groundcontrol.toml");
    writeFileSync(file, groundcontrolToml(commands));
    return [STANDALONE, file];
  },
  ownPid: direct,
};

/** Ground Control and the baseline as PID 1 of a fresh pid namespace, as in a container. */
function asPid1(manager, id, label) {
  return {
    ...manager,
    id,
    label,
    pid1: true,
    argv: (commands, dir) => [...UNSHARE, ...manager.argv(commands, dir)],
    ownPid: inNamespace,
  };
}

/** Where `program` is on PATH, or undefined. */
function onPath(program) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const file = join(dir, program);
    try {
      if (statSync(file).isFile()) return file;
    } catch {}
  }
  return undefined;
}

/** True for a native executable: our own `groundcontrol` on PATH is a Node script instead. */
function isElf(file) {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    return head.toString("latin1") === "\x7fELF";
  } finally {
    closeSync(fd);
  }
}

/** Managers found on this machine, and a note for each one that is not. */
export function detectPeers(rustPath) {
  const found = [];
  const missing = [];

  const rust = rustPath ?? onPath("groundcontrol");
  if (rust && isElf(rust)) {
    found.push({
      id: "groundcontrol-rust",
      label: "original Rust Ground Control",
      argv(commands, dir) {
        const file = join(dir, "groundcontrol.toml");
        writeFileSync(file, groundcontrolToml(commands));
        return [rust, file];
      },
      ownPid: direct,
    });
  } else {
    missing.push("original Rust Ground Control (an ELF `groundcontrol` on PATH, or --rust PATH)");
  }

  const pm2 = onPath("pm2-runtime");
  if (pm2) {
    found.push({
      id: "pm2-runtime",
      label: "pm2-runtime",
      argv(commands, dir) {
        const file = join(dir, "ecosystem.json");
        const apps = commands.map(({ name, command }) => ({
          name,
          script: "/bin/sh",
          args: ["-c", command],
          interpreter: "none",
          autorestart: false,
        }));
        writeFileSync(file, JSON.stringify({ apps }));
        return [pm2, file];
      },
      env: (dir) => ({ PM2_HOME: join(dir, "pm2-home") }),
      ownPid: direct,
    });
  } else {
    missing.push("pm2-runtime (not on PATH)");
  }

  const concurrently = onPath("concurrently");
  if (concurrently) {
    found.push({
      id: "concurrently",
      label: "concurrently",
      // Names and a timestamp on every line, as the others print.
      argv: (commands) => [
        concurrently,
        "--raw=false",
        "--names",
        commands.map((c) => c.name).join(","),
        "--prefix",
        "{time} {name}",
        "--timestamp-format",
        "yyyy-MM-dd'T'HH:mm:ss.SSS",
        ...commands.map((c) => c.command),
      ],
      ownPid: direct,
    });
  } else {
    missing.push("concurrently (not on PATH)");
  }
  return { found, missing };
}

/** unshare can make a pid namespace here (Linux, root). */
function canUnshare() {
  if (process.platform !== "linux") return false;
  const result = spawnSync(UNSHARE[0], [...UNSHARE.slice(1), "true"], { stdio: "ignore" });
  return result.status === 0;
}

/** Every manager to compare: baseline and Ground Control first, then PID 1 variants, then peers. */
export function managers({ pid1 = true, peers = true, rust } = {}) {
  const list = [baseline, groundcontrol];
  const notes = [];
  // Its own Node (the pinned LTS), with the SEA code cache: compared to the same baseline.
  if (existsSync(STANDALONE)) list.push(standalone);
  else
    notes.push(
      "skipped the standalone binary (build it with `pnpm --filter @groundcontrol/cli build:sea`)",
    );
  if (pid1) {
    if (canUnshare()) {
      list.push(
        asPid1(baseline, "baseline-pid1", "plain Node relay, PID 1"),
        asPid1(groundcontrol, "groundcontrol-pid1", "Ground Control, PID 1"),
      );
    } else {
      notes.push(
        "PID 1 variants skipped: `unshare --pid --fork --mount-proc` is not available (needs Linux and root)",
      );
    }
  }
  if (peers) {
    const { found, missing } = detectPeers(rust);
    list.push(...found);
    for (const what of missing) notes.push(`skipped ${what}`);
  }
  return { list, notes };
}

/** The version string a manager reports, for the record. */
export function groundcontrolVersion() {
  return execFileSync(process.execPath, [BUNDLE, "--version"], { encoding: "utf8" }).trim();
}
