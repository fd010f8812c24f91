// Stands in for koffi's per-platform package (@koromix/koffi-<os>-<arch>) in the standalone
// binary, whose koffi.node is an asset of the executable itself. It loads it:
// 1. from memory: a memfd written with the asset (memfd files are not subject to a mount's
//    noexec), made through Node's own FFI: no writable, exec-allowed directory needed (a
//    read-only root, no /tmp or a noexec one). Needs /proc, to name the memfd.
// 2. from a file beside the executable, named as ASSET (copy it there for an image with no /proc).
// 3. from a private temporary directory, removed once the library is mapped.
// Failing all three, it throws one message naming each attempt and what to do.
const { closeSync, existsSync, mkdtempSync, rmSync, writeFileSync, writeSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { dirname, join } = require("node:path");

/** The asset's name in the binary, and the file name looked for beside it. */
const ASSET = "groundcontrol-koffi.node";

function dlopen(file) {
  const module = { exports: {} };
  process.dlopen(module, file);
  return module.exports;
}

function fromMemory(bytes) {
  const ffi = require("node:ffi");
  const { lib, functions } = ffi.dlopen(null, {
    memfd_create: { arguments: ["string", "uint32"], return: "int32" },
  });
  const MFD_CLOEXEC = 0x1;
  const MFD_EXEC = 0x10; // asked for where vm.memfd_noexec would refuse it (Linux 6.3+)
  let fd = functions.memfd_create(ASSET, MFD_CLOEXEC | MFD_EXEC);
  if (fd < 0) fd = functions.memfd_create(ASSET, MFD_CLOEXEC); // older kernels: no MFD_EXEC
  lib.close();
  if (fd < 0) throw new Error("memfd_create() failed");
  try {
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
    return dlopen(`/proc/self/fd/${fd}`);
  } finally {
    closeSync(fd); // the mapping keeps the library; nothing is left anywhere
  }
}

function besideTheBinary() {
  const file = join(dirname(process.execPath), ASSET);
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  return dlopen(file);
}

function fromTemporaryFile(bytes) {
  const failures = [];
  for (const base of new Set([tmpdir(), "/dev/shm", "/run", "/var/tmp"])) {
    let dir;
    try {
      // mkdtemp gives a new directory only we can write (0700): nothing can be slipped in first.
      dir = mkdtempSync(join(base, "groundcontrol-native-"));
      const file = join(dir, ASSET);
      writeFileSync(file, bytes, { mode: 0o500 });
      return dlopen(file);
    } catch (error) {
      failures.push(`${base}: ${error.message}`);
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
  throw new Error(failures.join("; "));
}

function load() {
  const bytes = new Uint8Array(require("node:sea").getRawAsset(ASSET));
  const attempts = [];
  for (const [how, attempt] of [
    ["from memory", () => fromMemory(bytes)],
    ["beside the binary", besideTheBinary],
    ["from a temporary file", () => fromTemporaryFile(bytes)],
  ]) {
    try {
      return attempt();
    } catch (error) {
      attempts.push(`${how}: ${error.message}`);
    }
  }
  throw new Error(
    `cannot load the native module (${attempts.join("; ")}); mount /proc, or copy ` +
      `${ASSET} (built beside the binary) next to ${process.execPath}`,
  );
}

module.exports = load();
