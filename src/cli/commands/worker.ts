// `deep-agent worker`: the worker pool (and HTTP server) without Slack intake = `start --no-slack`.
import { run as start } from "./start.ts";
import { parseCommandArgs } from "../parse-args.ts";
import { usageError } from "../usage-error.ts";

export async function run(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs("worker", args, {});
  if (positionals.length > 0) throw usageError(`worker: takes no arguments (got "${positionals[0]}"); usage: deep-agent worker`);
  return start(["--no-slack"]);
}
