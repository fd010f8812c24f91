// The public types stand on their own: test/types/events.ts compiles (its @ts-expect-error lines
// included, so a misspelled event name must fail) under the @types/node this repository uses
// (20) and the latest major, installed as @types/node-latest.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "..", "node_modules", "@types");
const roots = mkdtempSync(join(tmpdir(), "gc-types-"));
afterAll(() => rmSync(roots, { recursive: true, force: true }));

/** A typeRoots directory whose `node` is the given @types/node package. */
function typeRootFor(pkg: string): string {
  const dir = join(roots, pkg);
  mkdirSync(dir);
  symlinkSync(join(modules, pkg), join(dir, "node"), "dir");
  return dir;
}

describe.each([["node"], ["node-latest"]])("with @types/%s", (pkg) => {
  it("rejects a misspelled event name and a wrong payload, and compiles the rest", () => {
    const typeRoots = [typeRootFor(pkg)];
    const { version } = JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8"));
    const program = ts.createProgram([join(here, "types", "events.ts")], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: ["node"],
      typeRoots,
      skipLibCheck: true,
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(problems, `@types/node ${version}`).toEqual([]);
  });
});
