// docs/configuration.md documents every key the JSON Schema knows, each in a table of keys.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { jsonSchema } from "../src/index.js";

const DOC = readFileSync(
  fileURLToPath(new URL("../../../docs/configuration.md", import.meta.url)),
  "utf8",
);

/** Every property name anywhere in the schema (top level, processes, commands, ready, …). */
function schemaKeys(node: unknown, keys = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) schemaKeys(item, keys);
  } else if (node !== null && typeof node === "object") {
    const properties = (node as { properties?: unknown }).properties;
    if (properties !== null && typeof properties === "object") {
      for (const key of Object.keys(properties)) keys.add(key);
    }
    for (const value of Object.values(node)) schemaKeys(value, keys);
  }
  return keys;
}

/** Keys documented as the first cell of a table row: "| `key` | …". */
function tableKeys(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^\| `([^`]+)` +\|/gm)].map((m) => m[1]!));
}

describe("docs/configuration.md", () => {
  it("has a table row for every key of the JSON Schema", () => {
    const keys = [...schemaKeys(jsonSchema())];
    expect(keys).toEqual(expect.arrayContaining(["processes", "only-env", "stop-timeout", "fd"]));
    const documented = tableKeys(DOC);
    expect(keys.filter((key) => !documented.has(key))).toEqual([]);
  });

  it("documents no key the schema does not have", () => {
    const keys = schemaKeys(jsonSchema());
    // Rows whose first cell is a value or a form rather than a key.
    const notKeys = [...tableKeys(DOC)].filter((cell) => /^[a-z_-]+$/.test(cell));
    expect(notKeys.filter((cell) => !keys.has(cell))).toEqual([]);
  });
});
