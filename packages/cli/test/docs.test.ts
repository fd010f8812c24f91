// docs/cli.md stays true to the executable: every option it accepts, every signal it handles and
// every environment variable it reads is documented, and every documented option is accepted.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../src/args.js";
import { HELP } from "../src/help.js";
import { FORWARDED_SIGNALS, TERMINATION_SIGNALS } from "../src/signals.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const DOC = readFileSync(join(root, "docs/cli.md"), "utf8");

/** The body of the markdown section that starts with `## title`. */
function section(title: string): string {
  const start = DOC.indexOf(`\n## ${title}\n`);
  expect(start, `section "${title}"`).toBeGreaterThan(0);
  const end = DOC.indexOf("\n## ", start + 1);
  return DOC.slice(start, end < 0 ? undefined : end);
}

/** The code spans in the first cell of each table row. */
function firstCells(markdown: string): string[] {
  return [...markdown.matchAll(/^\| (.+?) +\|/gm)].flatMap((m) =>
    [...m[1]!.matchAll(/`([^`]+)`/g)].map((c) => c[1]!),
  );
}

describe("docs/cli.md", () => {
  const options = firstCells(section("Options")).filter((cell) => cell.startsWith("-"));

  it("documents every option that --help shows, and each one is accepted", () => {
    const inHelp = new Set(HELP.match(/(?<![\w-])--?[a-zA-Z][\w-]*/g));
    inHelp.add("--");
    for (const option of inHelp) expect(options).toContain(option);
    // An option documented as "With `--check` only" is tried with --check, and without it fails.
    const withCheck = new Set(
      [...section("Options").matchAll(/^\| `(--[\w-]+)` +\| With `--check` only/gm)].map(
        (m) => m[1],
      ),
    );
    expect(withCheck).toEqual(new Set(["--json", "--strict", "--platform", "--kill-timeout"]));
    // And those "With `status` only" with status, as its first word.
    const withStatus = new Set(
      [...section("Options").matchAll(/^\| `(--[\w-]+)` +\| With `status` only/gm)].map(
        (m) => m[1],
      ),
    );
    expect(withStatus).toEqual(new Set(["--ready", "--socket"]));
    // Options that take a value, with one the docs give as an example.
    const VALUES: Record<string, string> = {
      "--platform": "fly",
      "--kill-timeout": "25s",
      "--socket": "/run/app/gc.sock",
    };
    for (const option of options) {
      const given = option in VALUES ? [option, VALUES[option]!] : [option];
      const argv = withCheck.has(option)
        ? ["--check", ...given]
        : withStatus.has(option)
          ? ["status", ...given]
          : given;
      expect(parseArgs(argv, {}).kind, option).not.toBe("usage-error");
      if (withCheck.has(option) || withStatus.has(option)) {
        expect(parseArgs(given, {}).kind).toBe("usage-error");
      }
      if (option in VALUES) expect(section("Options")).toContain(VALUES[option]);
    }
  });

  it("documents every signal Ground Control acts on", () => {
    const documented = firstCells(section("Signals")).flatMap((cell) => cell.split(/,\s*/));
    for (const signal of [...TERMINATION_SIGNALS, ...FORWARDED_SIGNALS]) {
      expect(documented).toContain(signal);
    }
  });

  it("documents every environment variable the executable and core read", () => {
    const sources = ["packages/cli/src", "packages/core/src"].flatMap((dir) =>
      readdirSync(join(root, dir))
        .filter((file) => file.endsWith(".ts"))
        .map((file) => readFileSync(join(root, dir, file), "utf8")),
    );
    const read = new Set(
      sources.flatMap((text) => text.match(/(?<=\benv\.)[A-Z_][A-Z0-9_]*/g) ?? []),
    );
    expect(read).toContain("GROUNDCONTROL_CONFIG");
    const documented = new Set(firstCells(section("Environment variables")));
    // PATH is a command's business, documented with the environment rules of the config file.
    const configuration = readFileSync(join(root, "docs/configuration.md"), "utf8");
    for (const name of read) {
      if (name === "PATH") expect(configuration).toMatch(/If Ground Control has no `PATH`/);
      else expect(documented, name).toContain(name);
    }
  });

  it("documents every exit status the help text names", () => {
    const statuses = firstCells(section("Exit status"));
    expect(statuses).toEqual(["0", "N", "128+N", "127", "126", "1", "2"]);
    for (const status of ["0", "1", "2"]) expect(HELP).toMatch(new RegExp(`\\b${status}\\b`));
  });
});
