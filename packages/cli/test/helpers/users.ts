// Real users and groups for tests that switch users: created once per test file, removed after.
import { execFileSync } from "node:child_process";

/** True where users can be made and switched to (root on Linux). */
export const canSwitchUsers = process.platform === "linux" && process.getuid?.() === 0;

export interface TestUsers {
  /** A user in two supplementary groups (the exec-as helper's path). */
  member: string;
  /** A user with only its primary group (Node's own uid/gid path). */
  loner: string;
  groupA: string;
  groupB: string;
  uid(name: string): number;
  gid(name: string): number;
  groupId(group: string): number;
  remove(): void;
}

/** Creates the users with names unique to this test run. */
export function createTestUsers(): TestUsers {
  const tag = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
  const users = {
    member: `gcm${tag}`,
    loner: `gcl${tag}`,
    groupA: `gca${tag}`,
    groupB: `gcb${tag}`,
  };
  execFileSync("groupadd", [users.groupA]);
  execFileSync("groupadd", [users.groupB]);
  execFileSync("useradd", [
    "--create-home",
    "--groups",
    `${users.groupA},${users.groupB}`,
    users.member,
  ]);
  execFileSync("useradd", ["--create-home", users.loner]);
  const id = (flag: "-u" | "-g", name: string) =>
    Number(execFileSync("id", [flag, name], { encoding: "utf8" }));
  return {
    ...users,
    uid: (name) => id("-u", name),
    gid: (name) => id("-g", name),
    groupId: (group) =>
      Number(execFileSync("getent", ["group", group], { encoding: "utf8" }).split(":")[2]),
    remove() {
      for (const user of [users.member, users.loner]) {
        execFileSync("userdel", ["--remove", user], { stdio: "ignore" });
      }
      for (const group of [users.groupA, users.groupB]) {
        execFileSync("groupdel", [group], { stdio: "ignore" });
      }
    },
  };
}

/** The lines a process wrote, without their labels (text format, timestamps suppressed). */
export function linesOf(output: string, label: string): string[] {
  const prefix = new RegExp(`^${label.replace(/[[\]]/g, "\\$&")} +\\| `);
  return output
    .split("\n")
    .filter((line) => prefix.test(line))
    .map((line) => line.replace(prefix, ""));
}
