// `groundcontrol --check [--json] CONFIG`: validates a config and renders its plan. It returns
// what to print instead of printing, so tests (and the fuzzer) run the very same code in-process.
import { ConfigError, loadConfigSync } from "@groundcontrol/config";

export interface CheckResult {
  /** 0: valid; 2: invalid or unreadable. */
  exitCode: 0 | 2;
  stdout: string;
  stderr: string;
}

export async function check(config: string, options: { json: boolean }): Promise<CheckResult> {
  try {
    const spec = loadConfigSync(config);
    // The plan needs core (for its DEFAULTS), which takes a while to load: only for valid files.
    const { buildPlan } = await import("./plan.js");
    const plan = buildPlan(spec, config);
    if (options.json)
      return { exitCode: 0, stdout: `${JSON.stringify(plan, null, 2)}\n`, stderr: "" };
    const { renderPlan } = await import("./plan-text.js");
    return { exitCode: 0, stdout: renderPlan(plan), stderr: "" };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const report = { valid: false, config, issues: error.issues };
    const stdout = options.json ? `${JSON.stringify(report, null, 2)}\n` : "";
    return { exitCode: 2, stdout, stderr: `${error.message}\n` };
  }
}
