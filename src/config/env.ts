// Every environment variable of the contract, read and validated in one place.
// A bad value becomes a ConfigError naming the variable and what would be valid.
import { z } from "zod";
import path from "node:path";
import { CodedError } from "../shared/errors.ts";
import { parseApprovalRules } from "./approval-rules.ts";

const DEFAULT_MODEL = "claude-sonnet-5-5";

const MODEL_ID = /^[\w.:@/-]{1,100}$/;

const idList = z.string().transform((s) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean),
);

const wholeNumber = (fallback: number, min: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`))
    .optional()
    .transform((v) => v ?? fallback);

const positiveInt = (fallback: number) => wholeNumber(fallback, 1);

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v.trim() : undefined));

const url = (what: string) => optionalString.refine((v) => v === undefined || URL.canParse(v), { message: `must be a valid ${what} URL` });

const schema = z.object({
  DATABASE_URL: optionalString.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
    message: "must be a postgres:// or postgresql:// connection string (or unset for the embedded database)",
  }),
  DATA_DIR: optionalString.transform((v) => path.resolve(v ?? ".deep-agent")),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: url("http(s)"),
  AGENT_MODEL: optionalString.transform((v) => v ?? DEFAULT_MODEL),
  /** Models a request may choose with `model=<id>`; the first is the default. Unset: AGENT_MODEL alone. */
  AGENT_MODELS: idList.refine((ids) => ids.every((id) => MODEL_ID.test(id)), { message: "must be comma-separated model ids (letters, digits, . _ - : @ /)" }).optional(),
  SANDBOX_PROVIDER: z.enum(["e2b", "local"], { message: 'must be "e2b" or "local"' }).optional(),
  SANDBOX_ISOLATION: z
    .enum(["auto", "none"], { message: 'must be "auto" (isolate with bubblewrap) or "none" (explicit opt-out)' })
    .optional()
    .transform((v) => v ?? "auto"),
  /** Local adapter: domains commands may reach through the sandbox's proxy; empty = no network. */
  SANDBOX_ALLOWED_DOMAINS: idList.optional().transform((v) => v ?? []),
  E2B_API_KEY: optionalString,
  E2B_TEMPLATE: optionalString,
  /** Extra servers of E2B's MCP catalogue, as the JSON of the SDK's `mcp` option: {"exa":{"apiKey":"…"}}. */
  E2B_MCP_SERVERS: optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        const json: unknown = JSON.parse(v);
        return typeof json === "object" && json !== null && !Array.isArray(json);
      } catch {
        return false;
      }
    },
    { message: 'must be a JSON object of E2B MCP catalogue servers, e.g. {"exa":{"apiKey":"…"}}' },
  ),
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString.refine((v) => v === undefined || v.startsWith("xapp-"), {
    message: "must be an app-level token starting with xapp- (Socket Mode), or unset for HTTP mode",
  }),
  SLACK_API_URL: url("Slack Web API").transform((v) => v ?? "https://slack.com/api/"),
  SLACK_ADMIN_USERS: idList.optional().transform((v) => v ?? []),
  /** Address the HTTP server listens on: all interfaces by default (containers). */
  HOST: optionalString
    .refine((v) => v === undefined || /^[\d.]+$|^[0-9a-f:]+$|^localhost$/i.test(v), {
      message: "must be an IP address to listen on, such as 127.0.0.1 or 0.0.0.0",
    })
    .transform((v) => v ?? "0.0.0.0"),
  PORT: z
    .string()
    .regex(/^\d+$/, "must be a port number")
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535, "must be a port number (0-65535)"))
    .optional()
    .transform((v) => v ?? 3000),
  WORKER_CONCURRENCY: positiveInt(4),
  ALLOWED_SLACK_USERS: idList.optional().transform((v) => v ?? []),
  ALLOWED_SLACK_CHANNELS: idList.optional().transform((v) => v ?? []),
  MCP_CONFIG: optionalString,
  GITHUB_TOKEN: optionalString,
  /** GitHub's web and git base, and its REST base: other values for GitHub Enterprise (and tests). */
  GITHUB_URL: url("GitHub").transform((v) => (v ?? "https://github.com").replace(/\/+$/, "")),
  GITHUB_API_URL: url("GitHub API").transform((v) => (v ?? "https://api.github.com").replace(/\/+$/, "")),
  NOTION_TOKEN: optionalString,
  TASK_TIMEOUT_SECONDS: positiveInt(1800),
  MAX_QUEUE_DEPTH: positiveInt(1000),
  /** Queued + running tasks one Slack user may have at once. */
  MAX_TASKS_PER_USER: positiveInt(5),
  MAX_TURNS: positiveInt(200),
  /** After SIGTERM, how long running tasks may finish before they are checkpointed and handed back. */
  SHUTDOWN_GRACE_SECONDS: wholeNumber(20, 0),
  /** Attempts after the first before a task is dead-lettered, and the first retry's delay. */
  TASK_RETRY_LIMIT: wholeNumber(4, 0),
  TASK_RETRY_DELAY_SECONDS: positiveInt(5),
  MAX_SCHEDULES_PER_CHANNEL: positiveInt(25),
  /** Failed runs in a row before a schedule pauses itself. */
  SCHEDULE_PAUSE_AFTER_FAILURES: positiveInt(3),
  /** Input tokens the model accepts; the conversation is compacted before it gets there. */
  AGENT_CONTEXT_TOKENS: positiveInt(200_000),
  AGENT_MAX_OUTPUT_TOKENS: positiveInt(16_000),
  /**
   * Test-only, never set in production: the scheduler's cadence in seconds (1-45), that is how often
   * pg-boss's cron pass runs (its default 30 s), how often occurrences it found are sent on (5 s)
   * and how often the scheduler looks for firings (2 s). Lets tests see cron firings in seconds.
   */
  TEST_SCHEDULE_TICK_SECONDS: z
    .string()
    .regex(/^\d+$/, "must be a whole number of seconds")
    .transform(Number)
    .pipe(z.number().int().min(1, "must be at least 1").max(45, "must be at most 45 (pg-boss's limit)"))
    .optional(),
  /** Tool calls that wait for a person's decision (see approval-rules.ts). */
  REQUIRE_APPROVAL: optionalString.transform((v, ctx) => {
    try {
      return parseApprovalRules(v ?? "");
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  }),
  /** How long a decision may take before the request counts as denied. */
  APPROVAL_TIMEOUT_SECONDS: positiveInt(86_400),
  /** Estimated spend (USD) at which a task stops and asks whether to go on; unset = no limit. */
  TASK_BUDGET_USD: optionalString
    .refine((v) => v === undefined || (/^\d+(\.\d+)?$/.test(v) && Number(v) > 0), { message: "must be an amount in US dollars above 0, such as 5 or 2.50" })
    .transform((v) => (v === undefined ? undefined : Number(v))),
  /** The base URL people reach the HTTP server at, for links posted to Slack; http://localhost:<PORT> by default. */
  PUBLIC_URL: url("http(s)").transform((v) => v?.replace(/\/+$/, "")),
  /** Signs transcript links; unset: a secret made once and kept in the database. */
  TRANSCRIPT_SECRET: optionalString,
  /** Days a finished task's transcript (and its checkpoint) is kept. */
  TRANSCRIPT_RETENTION_DAYS: positiveInt(30),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "must be one of fatal, error, warn, info, debug, trace, silent",
    })
    .optional(),
});

type Parsed = z.infer<typeof schema>;

export type Config = Omit<Parsed, "SANDBOX_PROVIDER" | "LOG_LEVEL" | "AGENT_MODELS" | "PUBLIC_URL"> & {
  PUBLIC_URL: string;
  SANDBOX_PROVIDER: "e2b" | "local";
  /** The models a request may choose; never empty, and its first is AGENT_MODEL (the default). */
  AGENT_MODELS: string[];
  LOG_LEVEL: NonNullable<Parsed["LOG_LEVEL"]>;
  /** LOG_LEVEL was given explicitly (interactive commands log less by default). */
  logLevelExplicit: boolean;
};

/** A configuration problem: one line naming the variable, what is wrong and what would be valid. */
export function configError(variable: string, message: string, options: { cause?: unknown } = {}): CodedError {
  return new CodedError("config_invalid", `${variable}: ${message}`, options);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, env[k]]));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? "environment");
    const got = env[variable];
    const shown = got === undefined || isSecretName(variable) ? "" : ` (got ${JSON.stringify(got)})`;
    throw configError(variable, `${issue.message}${shown}`);
  }
  const c = parsed.data;
  const provider = c.SANDBOX_PROVIDER ?? (c.E2B_API_KEY ? "e2b" : "local");
  if (provider === "e2b" && !c.E2B_API_KEY && !env["E2B_ACCESS_TOKEN"] && env["E2B_DEBUG"] !== "true") {
    throw configError("E2B_API_KEY", "is required when SANDBOX_PROVIDER=e2b (or set SANDBOX_PROVIDER=local)");
  }
  const models = c.AGENT_MODELS && c.AGENT_MODELS.length > 0 ? [...new Set(c.AGENT_MODELS)] : [c.AGENT_MODEL];
  if (env["AGENT_MODEL"]?.trim() && models[0] !== c.AGENT_MODEL) {
    throw configError("AGENT_MODELS", `its first model is the default, but AGENT_MODEL names another (${c.AGENT_MODEL}); list it first or leave AGENT_MODEL unset`);
  }
  return {
    ...c,
    AGENT_MODEL: models[0]!,
    AGENT_MODELS: models,
    SANDBOX_PROVIDER: provider,
    PUBLIC_URL: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
    LOG_LEVEL: c.LOG_LEVEL ?? "info",
    logLevelExplicit: c.LOG_LEVEL !== undefined,
  };
}

function isSecretName(name: string): boolean {
  return /KEY|TOKEN|SECRET|PASSWORD/.test(name);
}

/** The model API must be reachable with credentials before a task can run. */
export function requireModelAccess(config: Config): void {
  if (!config.ANTHROPIC_API_KEY) {
    throw configError("ANTHROPIC_API_KEY", "is not set; put your Claude API key in the environment or in .env");
  }
}
