// Inside the standalone binary, koffi's native module is an asset of the executable itself: it is
// written to a fresh private directory, loaded with process.dlopen, and the file removed again.
const { mkdtempSync, rmSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

/** The asset name build-sea.mjs gives koffi's .node file. */
const ASSET = "koffi.node";

let loaded;

/** Loads the embedded koffi.node once; throws one message naming every place tried. */
function loadEmbeddedKoffi() {
  if (loaded) return loaded;
  const { getRawAsset } = require("node:sea");
  const bytes = new Uint8Array(getRawAsset(ASSET));
  const failures = [];
  // A temp dir mounted noexec refuses to map the library: try the usual writable places in turn.
  for (const base of new Set([tmpdir(), "/dev/shm", "/run", "/var/tmp"])) {
    let dir;
    try {
      // mkdtemp gives a new directory only we can write (0700): nothing can be slipped in first.
      dir = mkdtempSync(join(base, "groundcontrol-native-"));
      const file = join(dir, ASSET);
      writeFileSync(file, bytes, { mode: 0o500 });
      const module = { exports: {} };
      process.dlopen(module, file);
      loaded = module.exports;
      return loaded;
    } catch (error) {
      failures.push(`${base}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      // Once mapped, the library needs no file: leave nothing behind.
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
  throw new Error(`cannot load the embedded native module (${failures.join("; ")})`);
}

module.exports = { loadEmbeddedKoffi };
