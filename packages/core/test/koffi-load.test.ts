// koffi's binary loaded straight from its platform package, and the fallback to koffi's entry point.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { binaryPath, findPackage, isMusl, loadKoffi } from "../src/koffi-load.js";

const require = createRequire(import.meta.url);
const koffiEntry = require("koffi") as typeof import("koffi");

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A require whose lookups all go to `nodeModules`, and whose require("koffi") is `entry`. */
function fakeRequire(nodeModules: string, entry: unknown): NodeJS.Require {
  const fake = ((id: string) => (id === "koffi" ? entry : require(id))) as NodeJS.Require;
  fake.resolve = Object.assign(() => "", { paths: () => [nodeModules] }) as NodeJS.RequireResolve;
  return fake;
}

/** node_modules/koffi with this version, beside the real platform package (linked). */
function layout(version: string, withPlatform: boolean): string {
  scratch = mkdtempSync(join(tmpdir(), "gc-koffi-"));
  const nodeModules = join(scratch, "node_modules");
  mkdirSync(join(nodeModules, "koffi"), { recursive: true });
  writeFileSync(join(nodeModules, "koffi", "package.json"), JSON.stringify({ version }));
  if (withPlatform) {
    const real = join(
      dirname(findPackage(require, "koffi")!),
      "@koromix",
      `koffi-${process.platform}-${process.arch}`,
    );
    mkdirSync(join(nodeModules, "@koromix"));
    symlinkSync(real, join(nodeModules, "@koromix", `koffi-${process.platform}-${process.arch}`));
  }
  return nodeModules;
}

describe("loadKoffi", () => {
  it("loads the native module itself, which binds libc as the entry point does", () => {
    const koffi = loadKoffi(require);
    expect(koffi).not.toBe(koffiEntry);
    expect(koffi.version).toBe(koffiEntry.version);
    const getpid = koffi.load(null).func("int getpid()") as () => number;
    expect(getpid()).toBe(process.pid);
  });

  it("falls back to the entry point when the platform package is not beside koffi", () => {
    const sentinel = { entry: true };
    expect(loadKoffi(fakeRequire(layout("3.3.4", false), sentinel))).toBe(sentinel);
  });

  it("falls back to the entry point when the binary is of another release", () => {
    const sentinel = { entry: true };
    expect(loadKoffi(fakeRequire(layout("0.0.1", true), sentinel))).toBe(sentinel);
  });

  it("falls back when koffi cannot be found at all", () => {
    const sentinel = { entry: true };
    scratch = mkdtempSync(join(tmpdir(), "gc-koffi-"));
    expect(loadKoffi(fakeRequire(scratch, sentinel))).toBe(sentinel);
  });
});

describe("binaryPath", () => {
  it.each([
    ["linux", "x64", false, "linux_x64"],
    ["linux", "x64", true, "musl_x64"],
    ["linux", "arm64", true, "musl_arm64"],
    ["darwin", "arm64", false, "darwin_arm64"],
  ])("%s %s musl=%s: %s", (platform, arch, musl, triplet) => {
    expect(binaryPath("/p", platform, arch, musl)).toBe(`/p/${triplet}/koffi.node`);
  });
});

describe("isMusl", () => {
  it("reads the ELF interpreter of an executable", () => {
    scratch = mkdtempSync(join(tmpdir(), "gc-koffi-"));
    const musl = join(scratch, "musl");
    const glibc = join(scratch, "glibc");
    writeFileSync(
      musl,
      Buffer.concat([
        Buffer.from("\x7fELF"),
        Buffer.alloc(600),
        Buffer.from("/lib/ld-musl-x86_64.so.1\0"),
      ]),
    );
    writeFileSync(
      glibc,
      Buffer.concat([
        Buffer.from("\x7fELF"),
        Buffer.alloc(600),
        Buffer.from("/lib64/ld-linux-x86-64.so.2\0"),
      ]),
    );
    expect(isMusl(musl)).toBe(true);
    expect(isMusl(glibc)).toBe(false);
    expect(isMusl(join(scratch, "missing"))).toBe(false);
  });

  it.runIf(process.platform === "linux")("agrees with koffi's own pick for this Node", () => {
    // koffi's entry point chose its binary from the ELF headers; it is in the require cache.
    const loaded = Object.keys(require.cache).find((file) => file.endsWith("koffi.node"));
    expect(loaded).toBeDefined();
    expect(isMusl(process.execPath)).toBe(loaded!.includes("/musl_"));
  });
});
