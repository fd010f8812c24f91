// `--check --strict`: what only the image can answer, checked where the image is built (a
// Dockerfile's RUN), so that `user = "postgre"` fails the build instead of the first boot:
// users and groups exist, each program is found (on PATH, as its user would find it), each cwd
// can be entered. A program or cwd written with {{VAR}} is left to run time, when the variable
// has its value.
import { readFileSync } from "node:fs";
import { type ConfigIssue, issueAt, type KeySegment } from "@groundcontrol/config";
import {
  baseEnvironment,
  type CommandSpec,
  commandEnvironment,
  directoryProblem,
  findProgram,
  type Identity,
  type ProcessSpec,
  resolveUser,
  type Spec,
} from "@groundcontrol/core";

/** Every problem the image has with `spec` (read from `file`); [] when there is none. */
export function strictIssues(spec: Spec, file: string): ConfigIssue[] {
  const text = readFileSync(file, "utf8");
  const base = baseEnvironment(process.env, spec.env);
  const issues: ConfigIssue[] = [];
  spec.processes.forEach((proc, index) => {
    for (const [key, command] of commandsOf(proc)) {
      const path: KeySegment[] = ["processes", index, ...key];
      for (const { at, message } of problemsOf(command, base)) {
        issues.push(issueAt(file, text, [...path, ...at], message));
      }
    }
  });
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The commands of a process, with the key path each sits at. */
function commandsOf(proc: ProcessSpec): [KeySegment[], CommandSpec][] {
  const commands: [KeySegment[], CommandSpec | undefined][] = [
    [["pre"], proc.pre],
    [["run"], proc.run],
    [["stop"], proc.stop?.kind === "command" ? proc.stop.command : undefined],
    [["post"], proc.post],
    [
      ["ready", "command"],
      proc.ready?.check.kind === "command" ? proc.ready.check.command : undefined,
    ],
  ];
  return commands.filter((entry): entry is [KeySegment[], CommandSpec] => entry[1] !== undefined);
}

function problemsOf(
  command: CommandSpec,
  base: Record<string, string>,
): { at: KeySegment[]; message: string }[] {
  const problems: { at: KeySegment[]; message: string }[] = [];
  let who: Identity | undefined;
  if (command.user !== undefined) {
    try {
      const user = resolveUser(command.user);
      who = { uid: user.uid, groups: user.groups };
    } catch (error) {
      problems.push({ at: ["user"], message: (error as Error).message });
    }
  }
  const as = command.user === undefined ? "" : ` as user "${command.user}"`;
  if (command.cwd !== undefined && !command.cwd.includes("{{")) {
    const problem = directoryProblem(command.cwd, who);
    if (problem !== null)
      problems.push({ at: ["cwd"], message: `cwd "${command.cwd}" ${problem}${as}` });
  }
  if (!command.program.includes("{{")) {
    let path: string | undefined;
    try {
      path = commandEnvironment(command, base).PATH;
    } catch {
      // An only-env variable missing here may well be set at run time.
      path = base.PATH;
    }
    const cwd =
      command.cwd !== undefined && !command.cwd.includes("{{") ? command.cwd : process.cwd();
    const lookup = findProgram(command.program, path, cwd, command.program, who);
    if ("code" in lookup) {
      const where = command.program.includes("/") ? "" : " on PATH";
      const what = lookup.code === 127 ? `not found${where}` : "not executable";
      problems.push({ at: [], message: `program "${command.program}" ${what}${as}` });
    }
  }
  return problems;
}
