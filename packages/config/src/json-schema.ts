// The JSON Schema of groundcontrol.toml, generated from the same valibot schema that validates
// it, for editors (Taplo / Even Better TOML) and `groundcontrol --print-schema`.
import { toJsonSchema } from "@valibot/to-json-schema";
import { definitions } from "./schema/by-type.js";
import { configSchema } from "./schema/config.js";

export function jsonSchema(): Record<string, unknown> {
  const schema = toJsonSchema(configSchema, {
    target: "draft-07",
    // The input side: what a person writes in the file, before it is normalised.
    typeMode: "input",
    definitions,
    // Checks written as code (signal names, URLs, regexes) have no JSON Schema form, and TOML
    // has no infinite numbers to exclude; the descriptions say what is required and
    // `groundcontrol --check` enforces it.
    ignoreActions: ["check", "raw_check", "finite"],
  });
  return { ...schema };
}

/** The checked-in file's exact text: 2-space JSON and a final newline. */
export function jsonSchemaText(): string {
  return `${JSON.stringify(jsonSchema(), null, 2)}\n`;
}
