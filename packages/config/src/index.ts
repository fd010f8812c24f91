// Public surface of @groundcontrol/config.

// The shape of what parseConfig returns (core's own types; config ships them, see package.json).
export type {
  CommandSpec,
  LogFormat,
  ProcessSpec,
  ReadyCheck,
  ReadySpec,
  Spec,
  StopSpec,
} from "@groundcontrol/core";
export {
  type BreakGlassSettings,
  type Config,
  MAX_SOCKET_PATH_BYTES,
} from "./config-types.js";
export { parseDuration } from "./duration.js";
export { parseHostPort } from "./host-port.js";
export { ConfigError, type ConfigIssue, formatIssue, issueAt } from "./issues.js";
export { jsonSchema, jsonSchemaText } from "./json-schema.js";
export type { KeySegment } from "./key-path.js";
export { loadConfig, loadConfigSync, type ParseOptions, parseConfig } from "./parse.js";
export { classifyStop } from "./signals.js";
export { splitCommand } from "./split.js";
