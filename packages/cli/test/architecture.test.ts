// ARCHITECTURE.md stays a true map, and the house keeps its shape: every file the page names
// exists, and no package's sources import each other in a circle.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PAGE = readFileSync(join(ROOT, "ARCHITECTURE.md"), "utf8");

describe("ARCHITECTURE.md", () => {
  it("names only files that exist", () => {
    // A path in a code span is from the root or from a package's src/; a bare name after a
    // path in the same cell or sentence is beside it.
    const bases = ["", ...["core", "config", "cli"].map((pkg) => `packages/${pkg}/src`)];
    const missing: string[] = [];
    for (const cell of PAGE.split(/\||\n\n|\n-/)) {
      let dir: string | undefined;
      for (const [, span] of cell.matchAll(/`([^`\s]+\.(?:ts|mjs|md))`/g)) {
        const candidates = span!.includes("/")
          ? bases.map((base) => join(base, span!))
          : [...(dir ? [join(dir, span!)] : []), ...bases.map((base) => join(base, span!))];
        const found = candidates.find((candidate) => existsSync(join(ROOT, candidate)));
        if (!found) missing.push(span!);
        else if (span!.includes("/")) dir = dirname(found);
      }
    }
    expect(missing).toEqual([]);
  });

  it("is linked from the README", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("(ARCHITECTURE.md)");
  });
});

describe.each(["core", "config", "cli"])("packages/%s/src", (pkg) => {
  it("has no import cycle", () => {
    const src = join(ROOT, "packages", pkg, "src");
    const files = readdirSync(src, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith(".ts"))
      .map((file) => join(src, file));
    // Type-only imports are erased: they cannot make a cycle at run time.
    const imports = new Map(
      files.map((file) => [
        file,
        [...readFileSync(file, "utf8").matchAll(/^import (?!type )[^;]*?from "(\.[^"]+)"/gms)].map(
          (match) => resolve(dirname(file), match[1]!.replace(/\.js$/, ".ts")),
        ),
      ]),
    );
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const path: string[] = [];
    const visit = (file: string): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push(
          [...path.slice(path.indexOf(file)), file]
            .map((f) => f.slice(src.length + 1))
            .join(" -> "),
        );
        return;
      }
      state.set(file, "visiting");
      path.push(file);
      for (const next of imports.get(file) ?? []) visit(next);
      path.pop();
      state.set(file, "done");
    };
    for (const file of files) visit(file);
    expect(cycles).toEqual([]);
  });
});
