// docs/library.md stays true to the package: every export is documented, every name the page
// gives exists, and the event transcript it shows is what a real run emits.
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import {
  type CommandSpec,
  OutputRelay,
  RestartBudget,
  type Spec,
  Supervisor,
} from "../src/index.js";
import { recordEvents } from "../src/testing.js";

const DOC = readFileSync(
  fileURLToPath(new URL("../../../docs/library.md", import.meta.url)),
  "utf8",
);
const ENTRIES = ["index.ts", "testing.ts"].map((file) =>
  fileURLToPath(new URL(`../src/${file}`, import.meta.url)),
);

/** Every name the package's entries export, values and types, as the compiler sees them. */
function exportedNames(): Set<string> {
  const program = ts.createProgram(ENTRIES, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ["node"],
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  return new Set(
    ENTRIES.flatMap((entry) => {
      const symbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
      return checker.getExportsOfModule(symbol).map((s) => s.getName());
    }),
  );
}

/** The text of every inline code span (`…`) outside fenced blocks. */
function codeSpans(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, "");
  return [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
}

// Names in code spans that are not exports: members, options and fields, documented as such.
const MEMBERS = new Set(["Promise", "Record", "EventEmitter", "Error", "TypeError", "Date"]);

describe("docs/library.md", () => {
  const exports = exportedNames();
  const spans = codeSpans(DOC);

  it("documents every export of @groundcontrol/core", () => {
    expect(exports.size).toBeGreaterThan(40);
    const mentioned = new Set(spans.flatMap((span) => span.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []));
    const missing = [...exports].filter((name) => !mentioned.has(name));
    expect(missing).toEqual([]);
  });

  it("names only types, classes and functions that exist", () => {
    // Type-like names (PascalCase) anywhere, and `name(` calls at the start of a span.
    const typeNames = spans.flatMap((span) => span.match(/\b[A-Z][a-z][A-Za-z0-9]*\b/g) ?? []);
    const calls = spans.flatMap((span) => {
      const call = /^(?:new )?([A-Za-z_][A-Za-z0-9_]*)\(/.exec(span);
      return call ? [call[1]!] : [];
    });
    const supervisorMembers = ["start", "wait", "stop", "signal", "on", "status", "drainOutput"];
    const relayMembers = ["log", "onLine", "flush", "stats", "close"];
    const otherMembers = ["beforeRestart", "next"]; // a hook, and RestartBudget's method
    expect("next" in RestartBudget.prototype).toBe(true);
    const unknown = [...new Set([...typeNames, ...calls])].filter(
      (name) =>
        !exports.has(name) &&
        !MEMBERS.has(name) &&
        !supervisorMembers.includes(name) &&
        !relayMembers.includes(name) &&
        !otherMembers.includes(name),
    );
    expect(unknown).toEqual([]);
    // The members named above exist where the page says.
    for (const member of supervisorMembers) expect(member in Supervisor.prototype).toBe(true);
    for (const member of relayMembers) expect(member in OutputRelay.prototype).toBe(true);
  });

  it("lists exactly the events and hook names that events.ts declares", () => {
    const events = readFileSync(
      fileURLToPath(new URL("../src/events.ts", import.meta.url)),
      "utf8",
    );
    const declared = [
      ...(/interface SupervisorEvents \{([\s\S]*?)\n\}/.exec(events)?.[1] ?? "").matchAll(
        /"([a-z]+:[a-z]+)"/g,
      ),
    ].map((m) => m[1]);
    const table = [...DOC.matchAll(/^\| `([a-z]+:[a-z]+)` +\|/gm)].map((m) => m[1]);
    expect(declared.length).toBe(15);
    expect(table).toEqual(declared);
    const hooks = [
      ...(/type HookName =([\s\S]*?);/.exec(events)?.[1] ?? "").matchAll(/"([a-z]+:[a-z]+)"/g),
    ].map((m) => m[1]);
    const hookParagraph = /holds functions for the lifecycle steps ([\s\S]*?)\(`HookName`\)/.exec(
      DOC,
    )?.[1];
    const documentedHooks = [...(hookParagraph ?? "").matchAll(/`([a-z]+:[a-z]+)`/g)].map(
      (m) => m[1],
    );
    expect(documentedHooks).toEqual(hooks);
  });

  it("shows the event transcript that a real run of its example spec emits", async () => {
    const block = /<!-- event-transcript[^>]*-->\s*```\n([\s\S]*?)```/.exec(DOC)?.[1];
    expect(block).toBeDefined();
    const documented = block!.trim().split("\n");

    // The spec the page shows, as written there.
    const sh = (script: string): CommandSpec => ({ program: "/bin/sh", args: ["-c", script] });
    const spec: Spec = {
      processes: [
        {
          name: "db",
          pre: sh("exit 0"),
          run: sh("echo accepting connections; exec sleep 60"),
          ready: { check: { kind: "log", pattern: "^accepting connections$" } },
          post: sh("exit 0"),
        },
        { name: "migrate", pre: sh("exit 0") },
        { name: "app", run: sh("exec sleep 60") },
      ],
    };
    const discard = () => new Writable({ write: (_c, _e, done) => done() });
    const output = new OutputRelay({
      format: "text",
      timestamps: false,
      color: false,
      names: spec.processes.map((p) => p.name),
      stdout: discard(),
      stderr: discard(),
    });
    const supervisor = new Supervisor(spec, { output, killOnHostExit: false });
    // The transcript form is the one @groundcontrol/core/testing's recordEvents gives.
    const seen = recordEvents(supervisor);
    await supervisor.start();
    await supervisor.stop();
    expect(seen).toEqual(documented);
  });
});
