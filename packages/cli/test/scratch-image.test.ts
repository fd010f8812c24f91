// The standalone binary in a FROM-scratch image, for real: a root file system made in a temp dir
// from the binary, the shared libraries ldd names for it (and the dynamic loader), a static
// busybox for the commands, /etc/passwd and /etc/group, and nothing else: no Node, no
// groundcontrol-koffi.node beside the binary. Ground Control runs in it as PID 1 of new pid and
// mount namespaces (unshare, then chroot), with /proc, /dev/null and friends and a noexec
// /dev/shm as a container runtime gives them, in variants of /tmp, of the root's write access,
// of the user and of the kernel's memfd policy (see VARIANTS). Every mount is private to the
// namespace, and goes with it.
import { execFileSync } from "node:child_process";
import {
  accessSync,
  chmodSync,
  chownSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canUnshare, until } from "./helpers/harness.js";
import { Running } from "./helpers/running.js";

const BINARY = fileURLToPath(new URL("../standalone/groundcontrol", import.meta.url));

const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

/** An executable on the usual system paths, or undefined: the test's own PATH is not trusted. */
function which(name: string): string | undefined {
  for (const dir of SYSTEM_PATH) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return undefined;
}

/** True for an ELF executable without a program interpreter (PT_INTERP): statically linked. */
function isStaticElf(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) return false; // ELF64 only
    const phoff = Number(header.readBigUInt64LE(0x20));
    const phentsize = header.readUInt16LE(0x36);
    const phnum = header.readUInt16LE(0x38);
    const entry = Buffer.alloc(4);
    for (let i = 0; i < phnum; i++) {
      readSync(fd, entry, 0, 4, phoff + i * phentsize);
      if (entry.readUInt32LE(0) === 3) return false; // PT_INTERP
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

const busybox = which("busybox");
const tools = { unshare: which("unshare"), mount: which("mount"), chroot: which("chroot") };
const isRoot = process.platform === "linux" && process.getuid?.() === 0;
const missing = [
  !existsSync(BINARY) &&
    `${BINARY} has not been built (pnpm build && pnpm --filter @groundcontrol/cli build:sea)`,
  !(busybox && isStaticElf(busybox)) &&
    "no static busybox (apt-get install -y busybox-static) for the image's commands",
  !isRoot && "they need root",
  isRoot && !canUnshare && "unshare(1) cannot make pid and mount namespaces here",
  ...Object.entries(tools).map(([name, path]) => !path && `${name}(8) is missing`),
  !which("ldd") && "ldd is missing",
].filter((reason): reason is string => typeof reason === "string");
if (missing.length > 0) {
  console.warn(`scratch image tests skipped: ${missing.join("; ")}`);
}

/** Where the binary lives in the image. */
const IN_IMAGE = "/usr/local/bin/groundcontrol";
/** The devices a container runtime provides, bound from the host's. */
const DEVICES = ["null", "zero", "full", "random", "urandom"];
/** User `app` and its two supplementary groups. */
const APP = { uid: 1000, gid: 1000, groups: [1001, 1002] };
/** The image's whole environment. NODE_OPTIONS would stop a Node that honoured it. */
const ENV = {
  PATH: "/usr/local/bin:/bin",
  NO_COLOR: "1",
  NODE_OPTIONS: "--require /nonexistent/preload.js",
};

interface Variant {
  name: string;
  readOnly: boolean;
  /** "1777"/"0755": a directory of the root with that mode; "noexec": a noexec tmpfs. */
  tmp: "1777" | "0755" | "noexec" | "none";
  /** Ground Control itself runs as `app` (Docker's `USER 1000`), not as root. */
  asApp: boolean;
  /** vm.memfd_noexec = 2 in the namespace (a per-pid-namespace sysctl): no executable memfd. */
  memfdNoexec?: boolean;
}

const VARIANTS: Variant[] = [
  { name: "writable /tmp", readOnly: false, tmp: "1777", asApp: false },
  { name: "read-only root, no /tmp at all", readOnly: true, tmp: "none", asApp: false },
  { name: "read-only root, noexec /tmp and /dev/shm", readOnly: true, tmp: "noexec", asApp: false },
  { name: "USER app (uid 1000), /tmp 0755", readOnly: false, tmp: "0755", asApp: true },
];
/** The host's vm.memfd_noexec, "" before Linux 6.3. */
const HOST_MEMFD_NOEXEC = existsSync("/proc/sys/vm/memfd_noexec")
  ? readFileSync("/proc/sys/vm/memfd_noexec", "utf8").trim()
  : "";
// Hardened hosts (Linux 6.3+) may refuse executable memfds: the native module must load anyway.
if (HOST_MEMFD_NOEXEC !== "") {
  VARIANTS.push({
    name: "read-only root, no /tmp, vm.memfd_noexec = 2",
    readOnly: true,
    tmp: "none",
    asApp: false,
    memfdNoexec: true,
  });
}

/** The shared libraries and the dynamic loader that ldd names for `binary`, as absolute paths. */
function sharedLibraries(binary: string): string[] {
  const libraries: string[] = [];
  for (const line of execFileSync("ldd", [binary], { encoding: "utf8" }).split("\n")) {
    if (/not found/.test(line)) throw new Error(`ldd: ${line.trim()}`);
    const path = /=> (\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+) \(/.exec(line)?.[1];
    if (path) libraries.push(path);
  }
  return libraries;
}

/**
 * The processes of the main run, started in this order (each daemon gated on its first line, so
 * the order of the output is fixed too) and stopped in reverse. `groups` prints the identity a
 * command gets: as user `app` when Ground Control is root, else Ground Control's own.
 */
function lifecycleToml(variant: Variant): string {
  const daemon = (name: string) => `
[[processes]]
name = "${name}"
run = ["/bin/sh", "-c", "trap 'echo ${name}-stopping; exit 0' TERM; echo ${name}-up; while :; do sleep 1; done"]
ready = { log = "^${name}-up$" }
post = ["/bin/sh", "-c", "echo ${name}-post"]
`;
  const who = `["/bin/sh", "-c", "echo uid=$(id -u) groups=$(id -G) ppid=$PPID node-options=$NODE_OPTIONS memfd-noexec=$(cat /proc/sys/vm/memfd_noexec 2>/dev/null)"]`;
  const pre = variant.asApp ? who : `{ user = "app", command = ${who} }`;
  return `log-format = "json"
${daemon("first")}
[[processes]]
name = "groups"
pre = ${pre}
post = ["/bin/sh", "-c", "echo groups-post"]
${daemon("second")}`;
}

/** A few hundred orphans for PID 1, then wait until /proc shows no zombie: exit 42 when clean. */
const STORM_TOML = `log-format = "json"

[[processes]]
name = "storm"
run = ["/bin/sh", "-c", "i=0; while [ $i -lt 300 ]; do ( true & ); i=$((i+1)); done; n=0; while [ $n -lt 200 ]; do z=$(grep -ls '^State:.Z' /proc/[0-9]*/status | wc -l); [ $z -eq 0 ] && exit 42; n=$((n+1)); sleep 0.05; done; echo zombies=$z; exit 3"]
`;

/** Makes the image's root for `variant` under `root`; `staged` is the binary to hard-link. */
function makeRoot(root: string, variant: Variant, staged: string, libraries: string[]): void {
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755); // a mkdtemp parent is 0700: `app` must get through /
  const put = (path: string) => {
    mkdirSync(join(root, dirname(path)), { recursive: true, mode: 0o755 });
    return join(root, path);
  };
  linkSync(staged, put(IN_IMAGE));
  for (const library of libraries) copyFileSync(library, put(library));
  copyFileSync(busybox!, put("/bin/busybox"));
  chmodSync(join(root, "bin/busybox"), 0o755);
  const applets = execFileSync(busybox!, ["--list"], { encoding: "utf8" }).split("\n");
  for (const applet of applets.filter((a) => a !== "" && a !== "busybox")) {
    symlinkSync("busybox", join(root, "bin", applet));
  }
  writeFileSync(
    put("/etc/passwd"),
    `root:x:0:0:root:/root:/bin/sh\napp:x:${APP.uid}:${APP.gid}:app:/home/app:/bin/sh\n`,
  );
  writeFileSync(
    put("/etc/group"),
    `root:x:0:\napp:x:${APP.gid}:\ndata:x:${APP.groups[0]}:app\nlogs:x:${APP.groups[1]}:app\n`,
  );
  writeFileSync(put("/etc/groundcontrol.toml"), lifecycleToml(variant));
  writeFileSync(put("/etc/storm.toml"), STORM_TOML);
  // Where the control socket goes (WORKDIR /run in Dockerfile.scratch); the image's USER owns
  // it when that is not root (COPY --chown), so that `groundcontrol status` works there too.
  mkdirSync(join(root, "run"), { mode: 0o755 });
  if (variant.asApp) chownSync(join(root, "run"), APP.uid, APP.gid);
  // Mount points, as an image has them: the runtime mounts over them.
  mkdirSync(join(root, "proc"));
  mkdirSync(join(root, "dev/shm"), { recursive: true });
  for (const device of DEVICES) writeFileSync(join(root, "dev", device), "");
  if (variant.tmp !== "none") {
    mkdirSync(join(root, "tmp"));
    chmodSync(join(root, "tmp"), variant.tmp === "0755" ? 0o755 : 0o1777);
  }
}

/**
 * What the container runtime does, as a script for /bin/sh run by unshare in the new namespaces
 * (it is PID 1 there, and execs its way to Ground Control): the root becomes a mount of its own
 * (exec allowed, read-only if asked), /proc of the new pid namespace, the devices, a noexec
 * /dev/shm (as Docker's), the variant's /tmp; then chroot, as `app` if asked.
 */
function runtimeScript(variant: Variant): string {
  const { mount, chroot } = tools;
  const userspec = variant.asApp
    ? `--userspec=${APP.uid}:${APP.gid} --groups=${APP.groups.join(",")} `
    : "";
  return [
    "set -eu",
    "root=$1 config=$2",
    `${mount} --bind "$root" "$root"`,
    `${mount} -t proc -o nosuid,nodev,noexec proc "$root/proc"`,
    variant.memfdNoexec ? 'echo 2 > "$root/proc/sys/vm/memfd_noexec"' : "",
    `for device in ${DEVICES.join(" ")}; do ${mount} --bind "/dev/$device" "$root/dev/$device"; done`,
    `${mount} -t tmpfs -o nosuid,nodev,noexec,mode=1777 shm "$root/dev/shm"`,
    variant.tmp === "noexec"
      ? `${mount} -t tmpfs -o nosuid,nodev,noexec,mode=1777 tmp "$root/tmp"`
      : "",
    // A read-only root keeps a writable /run, as `docker run --read-only --tmpfs /run` does.
    variant.readOnly ? `${mount} -t tmpfs -o nosuid,nodev,noexec,mode=0755 run "$root/run"` : "",
    `${mount} -o remount,bind,exec,${variant.readOnly ? "ro" : "rw"} "$root"`,
    `exec ${chroot} ${userspec}"$root" ${IN_IMAGE} "$config"`,
  ].join("\n");
}

/** Ground Control running in the image: its own pid (ours) once unshare has forked. */
class InImage {
  readonly running: Running;

  constructor(root: string, variant: Variant, config: string) {
    const argv = [
      tools.unshare!,
      "--pid",
      "--fork",
      "--kill-child",
      "--mount",
      "--propagation",
      "private",
      "/bin/sh",
      "-c",
      runtimeScript(variant),
      "runtime",
      root,
      config,
    ];
    this.running = new Running(argv, { env: ENV });
  }

  async pid(): Promise<number> {
    const unshare = this.running.child.pid!;
    const children = `/proc/${unshare}/task/${unshare}/children`;
    await until(() => readFileSync(children, "utf8").trim() !== "", "unshare's child");
    return Number(readFileSync(children, "utf8").trim().split(/\s+/)[0]);
  }
}

/** The relayed lines on stdout, as `name[phase] | line` (`name | line` for run). */
function relayed(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter(Boolean)
    .map((text) => {
      const record = JSON.parse(text) as { process: string; phase: string; line: string };
      const phase = record.phase === "run" ? "" : `[${record.phase}]`;
      return `${record.process}${phase} | ${record.line}`;
    });
}

/**
 * Ground Control's own messages on stderr (the lines relayed from commands' stderr left out):
 * every other line must be one, so anything from Node itself shows up as "not JSON".
 */
function messages(stderr: string): { level: string; msg: string }[] {
  return stderr
    .split("\n")
    .filter(Boolean)
    .flatMap((line) => {
      let record: { level?: string; msg?: string; process?: string; stream?: string };
      try {
        record = JSON.parse(line);
      } catch {
        return [{ level: "not JSON", msg: line }];
      }
      if (record.level === undefined && record.stream === "stderr") return []; // relayed
      return [{ level: String(record.level), msg: String(record.msg) }];
    });
}

/** No warning about native code or reaping, nor any other: every message is at level info. */
function expectQuiet(stderr: string): void {
  expect(stderr).not.toMatch(/native|reap|koffi|Warning/i);
  expect(messages(stderr).filter((m) => m.level !== "info")).toEqual([]);
}

describe.skipIf(missing.length > 0)("the standalone binary in a scratch image", () => {
  let base = "";
  const roots = new Map<Variant, string>();

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "gc-scratch-"));
    // One copy of the ~110 MB binary, hard-linked into each root.
    const staged = join(base, "groundcontrol");
    copyFileSync(BINARY, staged);
    chmodSync(staged, 0o755);
    const libraries = sharedLibraries(BINARY);
    for (const [index, variant] of VARIANTS.entries()) {
      const root = join(base, `root${index + 1}`);
      makeRoot(root, variant, staged, libraries);
      roots.set(variant, root);
    }
  });

  afterAll(() => {
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it("holds the binary, its libraries and busybox, and nothing of Node", () => {
    const root = roots.get(VARIANTS[0]!)!;
    const files = readdirSync(root, { recursive: true, encoding: "utf8" });
    expect(files.filter((file) => /(^|\/)(node|nodejs|node_modules)$/.test(file))).toEqual([]);
    // Native code comes from memory: nothing beside the binary.
    expect(readdirSync(join(root, dirname(IN_IMAGE)))).toEqual([basename(IN_IMAGE)]);
    expect(files).toContain("lib64/ld-linux-x86-64.so.2");
  });

  describe.each(VARIANTS)("$name", (variant) => {
    const expectedGroups = [APP.gid, ...APP.groups].join(" ");
    // A new pid namespace starts with its parent's policy.
    const memfdNoexec = variant.memfdNoexec ? "2" : HOST_MEMFD_NOEXEC;

    it("runs commands with their groups as PID 1, and stops in reverse order on SIGTERM", async () => {
      const image = new InImage(roots.get(variant)!, variant, "/etc/groundcontrol.toml");
      try {
        await image.running.waitFor(/"line":"second-up"/);
        process.kill(await image.pid(), "SIGTERM");
        const done = await image.running.finished;
        expect(relayed(done.stdout)).toEqual([
          "first | first-up",
          // NODE_OPTIONS left the binary alone and reached the command as it was.
          `groups[pre] | uid=${APP.uid} groups=${expectedGroups} ppid=1 node-options=${ENV.NODE_OPTIONS} memfd-noexec=${memfdNoexec}`,
          "second | second-up",
          "second | second-stopping",
          "second[post] | second-post",
          "groups[post] | groups-post",
          "first | first-stopping",
          "first[post] | first-post",
        ]);
        expect(messages(done.stderr).map((m) => m.msg)).toContain(
          "shutting down: received SIGTERM",
        );
        expect(done.code).toBe(0);
        expectQuiet(done.stderr);
      } finally {
        image.running.kill("SIGKILL");
      }
    });

    it("leaves no zombie after a burst of orphans", async () => {
      const image = new InImage(roots.get(variant)!, variant, "/etc/storm.toml");
      try {
        const done = await image.running.finished;
        expect(done.stdout).not.toMatch(/zombies=/);
        expect(done.code).toBe(42); // the storm's own status: no zombie was left
        expectQuiet(done.stderr);
      } finally {
        image.running.kill("SIGKILL");
      }
    });
  });
});
