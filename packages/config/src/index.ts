// Public surface of @groundcontrol/config.
export { formatDuration, parseDuration } from "./duration.js";
export { ConfigError, type ConfigIssue, formatIssue, issueAt } from "./issues.js";
export { jsonSchema, jsonSchemaText } from "./json-schema.js";
export type { KeySegment } from "./key-path.js";
export { loadConfig, loadConfigSync, type ParseOptions, parseConfig } from "./parse.js";
export { classifyStop } from "./signals.js";
export { joinCommand, splitCommand } from "./split.js";
