// Regenerates schema/groundcontrol.schema.json from the built package (`pnpm gen:schema`).
import { writeFileSync } from "node:fs";
import { jsonSchemaText } from "../dist/index.js";

const target = new URL("../schema/groundcontrol.schema.json", import.meta.url);
writeFileSync(target, jsonSchemaText());
console.log(`wrote ${target.pathname}`);
