// Loads koffi's prebuilt binary straight from its platform package, the way koffi's own fallback
// finds it. koffi's entry point ends up there too, but first resolves its package "exports"
// (compiling Node's ESM resolver), reads the Node binary's ELF headers twice and wraps the
// module: ~10 ms of every start-up where it sits before the first spawn. This takes ~3 ms.
// Anything unexpected (another layout, another version, an exotic ABI) uses the entry point.
import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";

type Koffi = typeof import("koffi");

/** ABIs whose binary is named after process.arch alone (others need koffi's ELF checks). */
const PLAIN_ABIS = new Set(["x64", "arm64", "ia32"]);

/** koffi itself, its native module directly when possible. */
export function loadKoffi(require: NodeJS.Require): Koffi {
  try {
    const direct = loadDirect(require);
    if (direct !== undefined) return direct;
  } catch {
    // The entry point below reports any real problem with a better message.
  }
  return require("koffi") as Koffi;
}

function loadDirect(require: NodeJS.Require): Koffi | undefined {
  if (!PLAIN_ABIS.has(process.arch)) return undefined;
  const koffiDir = findPackage(require, "koffi");
  if (koffiDir === undefined) return undefined;
  const { version } = JSON.parse(readFileSync(join(koffiDir, "package.json"), "utf8")) as {
    version?: string;
  };
  const platformDir = join(
    dirname(koffiDir),
    "@koromix",
    `koffi-${process.platform}-${process.arch}`,
  );
  const musl = process.platform === "linux" && muslLoaderPresent() && isMusl(process.execPath);
  const file = binaryPath(platformDir, process.platform, process.arch, musl);
  if (!existsSync(file)) return undefined;
  // process.dlopen rather than require(): require would resolve the path again (package scope
  // lookups, a realpath walk), ~1 ms of a start-up that needs this before its first spawn.
  const module = { exports: {} as Koffi & { version?: unknown } };
  process.dlopen(module, file);
  const native = module.exports;
  // A binary of another release would not match the entry point's expectations.
  return native.version === version ? native : undefined;
}

/** The binary for this libc in koffi's platform package: `linux_x64` (glibc), `musl_x64`, `darwin_arm64`… */
export function binaryPath(
  platformDir: string,
  platform: string,
  arch: string,
  musl: boolean,
): string {
  const triplet = platform === "linux" && musl ? `musl_${arch}` : `${platform}_${arch}`;
  return join(platformDir, triplet, "koffi.node");
}

/**
 * Where `name` is installed, following the CommonJS lookup but without reading "exports" (the
 * package directory is all that is needed), symlinks resolved: pnpm keeps koffi's platform
 * package beside koffi's real directory, npm beside its link alike.
 */
export function findPackage(require: NodeJS.Require, name: string): string | undefined {
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = join(dir, name);
    // .native: one realpath(3) call (~0.1 ms) instead of Node's lstat walk (~0.5 ms).
    if (existsSync(join(candidate, "package.json"))) return realpathSync.native(candidate);
  }
  return undefined;
}

/** musl's dynamic loader, present on any system where a musl-linked Node can run. */
const MUSL_LOADERS: Record<string, string> = {
  x64: "/lib/ld-musl-x86_64.so.1",
  arm64: "/lib/ld-musl-aarch64.so.1",
  ia32: "/lib/ld-musl-i386.so.1",
};

/** Without musl's loader on the system, Node cannot be linked against musl: skip reading it. */
function muslLoaderPresent(): boolean {
  const loader = MUSL_LOADERS[process.arch];
  return loader === undefined || existsSync(loader);
}

/**
 * True when `executable` is linked against musl: its ELF interpreter, stored near the start of
 * the file, is /lib/ld-musl-<arch>.so.1 (glibc's is ld-linux-…).
 */
export function isMusl(executable: string): boolean {
  const head = Buffer.alloc(4096);
  let fd: number | undefined;
  try {
    fd = openSync(executable, "r");
    const read = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, read).includes("/ld-musl-");
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
