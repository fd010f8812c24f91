// Public surface of @groundcontrol/core.
export { shouldColor } from "./colors.js";
export type { LaunchPlan, Origin } from "./command.js";
export { baseEnvironment, commandEnvironment, DEFAULT_PATH, expand, MissingVariableError } from "./env.js";
export {
  CommandFailedError,
  CommandSetupError,
  RunExitedError,
  StartupError,
} from "./errors.js";
export type {
  CommandExitedEvent,
  CommandStartedEvent,
  HookName,
  Hooks,
  ProcessEvent,
  ShutdownReason,
  SupervisorEvents,
  SupervisorResult,
} from "./events.js";
export {
  DEFAULT_MAX_LINE_BYTES,
  type LineListener,
  type LogFields,
  type LogLevel,
  OutputRelay,
  type OutputOptions,
  type OutputOrigin,
  type OutputStats,
} from "./output.js";
export type { UserLauncher } from "./prepare.js";
export * from "./spec.js";
export { describeStatus, type ExitStatus, exitCodeOf } from "./status.js";
export { type Output, Supervisor, type SupervisorOptions } from "./supervisor.js";
