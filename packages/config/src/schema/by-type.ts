// Picks the schema for a value by its TOML type, so a wrong value gets the message of the form
// it was meant to be ("expected an array of strings") instead of a union's "matched nothing".
import * as v from "valibot";
import { describe } from "./messages.js";

// biome-ignore lint/suspicious/noExplicitAny: valibot's own name for "any schema"
type AnySchema = v.GenericSchema<any, any>;

export type TomlKind = "string" | "number" | "boolean" | "array" | "table";

type Branches = { readonly [K in TomlKind]?: AnySchema };

type Picked<B extends Branches> = Extract<B[keyof B], AnySchema>;
type Output<B extends Branches> = v.InferOutput<Picked<B>>;
type Input<B extends Branches> = v.InferInput<Picked<B>>;

/** Named schemas that the JSON Schema shows under `$defs`; filled as the schema is built. */
export const definitions: { [name: string]: AnySchema } = {};

export function kindOf(value: unknown): TomlKind | "date" | "other" {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return "date";
  if (typeof value === "object" && value !== null) return "table";
  return "other";
}

/**
 * A schema that runs the branch for the input's kind, or fails with "expected WHAT, got …".
 * For JSON Schema conversion (which asks with no input) it offers every branch, shown under
 * `$defs/<name>`.
 */
export function byType<const B extends Branches>(
  branches: B,
  what: string,
  name: string,
): v.GenericSchema<Input<B>, Output<B>> {
  const all = Object.values(branches) as AnySchema[];
  const offer: AnySchema = all.length === 1 ? all[0]! : v.union(all);
  definitions[name] = offer;
  const mismatch = v.custom<never>(
    () => false,
    (issue) => `expected ${what}, got ${describe(issue.input)}`,
  );
  const pick = (input: unknown): AnySchema => {
    if (input === undefined) return offer;
    const kind = kindOf(input);
    return (kind === "date" || kind === "other" ? undefined : branches[kind]) ?? mismatch;
  };
  return v.lazy(pick) as unknown as v.GenericSchema<Input<B>, Output<B>>;
}
