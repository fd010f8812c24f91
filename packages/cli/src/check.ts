// `groundcontrol --check [--json] [--strict] CONFIG`: validates a config and renders its plan.
// It returns what to print instead of printing, so tests (and the fuzzer) run the very same code
// in-process.
import { ConfigError, type ConfigIssue, formatIssue, loadConfigSync } from "@groundcontrol/config";

export interface CheckResult {
  /** 0: valid; 2: invalid, unreadable, or (with --strict) not usable in this image. */
  exitCode: 0 | 2;
  stdout: string;
  stderr: string;
}

export interface CheckOptions {
  json: boolean;
  /** Also check users, groups, programs and cwds against this image. */
  strict: boolean;
}

export async function check(config: string, options: CheckOptions): Promise<CheckResult> {
  let spec: ReturnType<typeof loadConfigSync>;
  try {
    spec = loadConfigSync(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return invalid(config, error.issues, error.message, options);
  }
  if (options.strict) {
    const { strictIssues } = await import("./strict.js");
    const issues = strictIssues(spec, config);
    if (issues.length > 0) {
      const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
      const report = [`${config}: not usable in this image (${count})`, ...issues.map(formatIssue)];
      return invalid(config, issues, report.join("\n"), options);
    }
  }
  // The plan needs core (for its DEFAULTS), which takes a while to load: only for valid files.
  const { buildPlan } = await import("./plan.js");
  const plan = buildPlan(spec, config);
  if (options.json)
    return { exitCode: 0, stdout: `${JSON.stringify(plan, null, 2)}\n`, stderr: "" };
  const { renderPlan } = await import("./plan-text.js");
  return { exitCode: 0, stdout: renderPlan(plan), stderr: "" };
}

function invalid(
  config: string,
  issues: readonly ConfigIssue[],
  message: string,
  options: CheckOptions,
): CheckResult {
  const report = { valid: false, config, issues };
  const stdout = options.json ? `${JSON.stringify(report, null, 2)}\n` : "";
  return { exitCode: 2, stdout, stderr: `${message}\n` };
}
