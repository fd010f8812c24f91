// Public surface of @groundcontrol/core.
export { shouldColor } from "./colors.js";
export type { LaunchPlan, Origin } from "./command.js";
export {
  type ControlServer,
  ControlSocketError,
  DEFAULT_CONTROL_SOCKET,
  listenControl,
  queryStatus,
  type ServeStatusOptions,
  type StatusServers,
  serveStatus,
} from "./control.js";
export { type WorstCaseShutdown, worstCaseShutdown } from "./deadline.js";
export {
  describeCheck,
  describeReason,
  formatDuration,
  formatHostPort,
  joinCommand,
  redactUrl,
} from "./describe.js";
export { closeInheritedDescriptors } from "./descriptors.js";
export {
  baseEnvironment,
  commandEnvironment,
  DEFAULT_PATH,
  type EnvKeys,
  envKeysFor,
  expand,
  expandCommand,
  MissingVariableError,
} from "./env.js";
export {
  CommandFailedError,
  CommandSetupError,
  HookError,
  RunExitedError,
  type StartupCause,
  StartupError,
  type StartupPhase,
} from "./errors.js";
export type {
  CommandExitedEvent,
  CommandPhase,
  CommandStartedEvent,
  HealthyEvent,
  HookName,
  Hooks,
  NotifyEvent,
  ProcessEnd,
  ProcessEvent,
  RestartingEvent,
  ShutdownReason,
  StatusEvent,
  SupervisorEvents,
  SupervisorResult,
  UnhealthyEvent,
} from "./events.js";
export { defaultExecAsHelper, execAsMain } from "./exec-as.js";
export type { Logger } from "./log.js";
export { MemoryOutput, type OutputLine, type OutputMessage } from "./memory-output.js";
export { type Libc, type LibcResult, loadLibc } from "./native.js";
export {
  DEFAULT_MAX_LINE_BYTES,
  type LineListener,
  type LogFields,
  type LogLevel,
  type OutputOptions,
  type OutputOrigin,
  OutputRelay,
  type OutputStats,
  type OutputStream,
} from "./output.js";
export { procAvailable } from "./proc.js";
export type { ProcessState, ProcessStatus } from "./process.js";
export { directoryProblem, findProgram, type Identity } from "./program.js";
export {
  NotReadyExitError,
  ReadyCheckError,
  ReadyTimeoutError,
} from "./ready.js";
export {
  adoptedChildren,
  adoptedTree,
  becomeSubreaper,
  type ReapEvent,
  type Reaper,
  type ReaperOptions,
  type ReaperStats,
  startReaper,
  trackChildProcesses,
} from "./reaper.js";
export { RestartBudget, type RestartDecision } from "./restart.js";
export * from "./spec.js";
export {
  readStateFile,
  type StateRead,
  UnsafePathError,
  writeStateFile,
} from "./state-file.js";
export { describeStatus, type ExitStatus, exitCodeOf } from "./status.js";
export {
  type HostPort,
  listenStatusHttp,
  type StatusHttpServer,
  StatusListenError,
} from "./status-http.js";
export {
  readReport,
  STATUS_VERSION,
  type StatusPhase,
  type StatusReport,
  statusReport,
} from "./status-report.js";
export {
  type Output,
  type StartOptions,
  type State,
  Supervisor,
  type SupervisorOptions,
  type SupervisorStatus,
} from "./supervisor.js";
export { describeUser, userEnv } from "./user-switch.js";
export {
  parseGroup,
  parsePasswd,
  type ResolvedUser,
  resolveUser,
  UserError,
  type UserFiles,
} from "./users.js";
