// The JSON Schema: generated from the valibot schema and checked in; this fails on drift.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jsonSchema, jsonSchemaText } from "../src/index.js";

const checkedIn = readFileSync(
  new URL("../schema/groundcontrol.schema.json", import.meta.url),
  "utf8",
);

describe("JSON Schema", () => {
  it("matches the checked-in schema/groundcontrol.schema.json (run `pnpm gen:schema`)", () => {
    expect(checkedIn).toBe(jsonSchemaText());
  });

  it("is draft-07 and describes every top-level key, with processes required", () => {
    const schema = jsonSchema() as {
      $schema: string;
      properties: { [key: string]: unknown };
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(Object.keys(schema.properties)).toEqual([
      "suppress_timestamps",
      "suppress-timestamps",
      "log-format",
      "shutdown-timeout",
      "control-socket",
      "status-listen",
      "break-glass",
      "env",
      "processes",
    ]);
    expect(schema.required).toEqual(["processes"]);
    expect(schema.additionalProperties).toBe(false);
  });

  it("names its definitions and gives the process keys descriptions for editor hovers", () => {
    const schema = jsonSchema() as {
      $defs: { [name: string]: { properties?: { [key: string]: { description?: string } } } };
    };
    expect(Object.keys(schema.$defs).sort()).toEqual(
      [
        "argv",
        "break-glass",
        "command",
        "commandArgv",
        "commandLine",
        "commandTable",
        "control-socket",
        "duration",
        "env",
        "forwardSignals",
        "health",
        "onlyEnv",
        "process",
        "processes",
        "ready",
        "restart",
        "secrets",
        "stop",
      ].sort(),
    );
    const process = schema.$defs.process?.properties ?? {};
    expect(Object.keys(process)).toEqual([
      "name",
      "pre",
      "run",
      "stop",
      "stop-timeout",
      "post",
      "ready",
      "restart",
      "health",
      "watchdog",
      "forward-signals",
    ]);
    for (const [key, value] of Object.entries(process)) expect(value.description, key).toBeTruthy();
  });

  it("uses only regex syntax that Taplo's (Rust) regex engine reads the same way", () => {
    const patterns = [...jsonSchemaText().matchAll(/"pattern": ("(?:[^"\\]|\\.)*")/g)].map(
      (match) => JSON.parse(match[1]!) as string,
    );
    expect(patterns.length).toBeGreaterThan(3);
    for (const pattern of patterns) {
      // Rust's regex has no \0 and reads \u only as exactly four hex digits: use \xNN.
      expect(pattern, pattern).not.toMatch(/\\(0|u)/);
      expect(() => new RegExp(pattern, "u"), pattern).not.toThrow();
    }
  });
});
