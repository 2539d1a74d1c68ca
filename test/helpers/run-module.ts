// Runs a piece of ES module code in a child process with the given environment (e.g. a PATH of
// chosen tools), and reads back the one JSON line it prints.
import { spawn } from "node:child_process";

export interface ModuleRun {
  code: number | null;
  stderr: string;
  /** The JSON the code printed on its last line; undefined when it printed none. */
  out: unknown;
}

export async function runModule(code: string, env: NodeJS.ProcessEnv): Promise<ModuleRun> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exit = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const last = stdout.trim().split("\n").at(-1);
  let out: unknown;
  try {
    out = last ? JSON.parse(last) : undefined;
  } catch {
    out = undefined;
  }
  return { code: exit, stderr: `${stderr}${out === undefined ? stdout : ""}`, out };
}

/** A module's URL as the child's code imports it. */
export const moduleUrl = (relative: string, from: string) => JSON.stringify(new URL(relative, from).href);
