// Entry point: loads .env, picks the command, turns every coded error into
// one line on stderr (exit 2 for bad input or configuration, 1 otherwise).
import { loadEnvFile } from "./load-env-file.ts";
import { usageError, exitCodes } from "./usage-error.ts";
import { hasCode } from "../shared/errors.ts";
import { failureLine, isInputProblem } from "./failure-words.ts";

interface Command {
  summary: string;
  load: () => Promise<{ run: (args: string[]) => Promise<number> }>;
}

const commands: Record<string, Command> = {
  start: { summary: "start [--no-slack] [--no-worker]   Slack intake, workers, scheduler and HTTP server", load: () => import("./commands/start.ts") },
  worker: { summary: "worker                             worker pool only (= start --no-slack)", load: () => import("./commands/worker.ts") },
  task: { summary: 'task "<text>" [--json] [--yes] [--repo owner/name]  run one task now; plan on stderr, result on stdout', load: () => import("./commands/task.ts") },
  chat: { summary: "chat                               interactive multi-turn session in one sandbox", load: () => import("./commands/chat.ts") },
  queue: { summary: 'queue add "<text>" [--repo owner/name] | list [--json] | cancel <id> | approve <id> | deny <id>', load: () => import("./commands/queue.ts") },
  show: { summary: "show <id> [--json] [--follow]      a task's transcript: every step, its output, the answer", load: () => import("./commands/show.ts") },
  schedule: { summary: 'schedule add "<cron>" "<text>" [--tz Area/City] [--channel C…] | list [--json] | remove <id> | resume <id>', load: () => import("./commands/schedule.ts") },
  migrate: { summary: "migrate                            apply database migrations", load: () => import("./commands/migrate.ts") },
  health: { summary: "health                             print a JSON health report; exit 0 when healthy", load: () => import("./commands/health.ts") },
};

export function usage(): string {
  return ["usage: deep-agent <command> [options]", "", ...Object.values(commands).map((c) => `  deep-agent ${c.summary}`)].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    console.log(usage());
    return name === undefined ? exitCodes.usage : 0;
  }
  const command = commands[name];
  if (!command) throw usageError(`unknown command "${name}"; run \`deep-agent help\` for the list`);
  loadEnvFile();
  const module = await command.load();
  return module.run(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (hasCode(error)) {
    console.error(`deep-agent: ${failureLine(error)}`);
    process.exitCode = isInputProblem(error.code) ? exitCodes.usage : exitCodes.failure;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`deep-agent: ${message}`);
    if (process.env["LOG_LEVEL"] === "debug" && error instanceof Error) console.error(error.stack);
    process.exitCode = exitCodes.failure;
  }
}
