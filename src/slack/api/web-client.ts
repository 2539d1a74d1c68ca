// The Slack Web API clients, pointed at SLACK_API_URL, logging through our (secret-scrubbing)
// pino logger. Two clients: `api` waits out rate limits by itself (posts, reactions, uploads);
// `progress` hands them back so the message updater can send the newest state after the wait
// instead of a stale one.
import { WebClient, type WebClientOptions } from "@slack/web-api";
import type { Logger as SlackLogger, LogLevel } from "@slack/logger";
import type { Logger } from "../../shared/log.ts";
import type { Scrubber } from "../../shared/scrub-secrets.ts";
import { httpFetch } from "./http-fetch.ts";

export interface SlackClients {
  api: WebClient;
  progress: WebClient;
}

/**
 * A Web API client that takes configured secrets out of every call's arguments (text, blocks,
 * file titles, comments) before they leave: whatever the agent wrote, a secret never reaches Slack.
 */
class ScrubbingWebClient extends WebClient {
  readonly #scrubber: Scrubber;
  constructor(token: string, options: WebClientOptions, scrubber: Scrubber) {
    super(token, options);
    this.#scrubber = scrubber;
  }
  override apiCall(method: string, options?: Record<string, unknown>) {
    return super.apiCall(method, options && this.#scrubber.scrubDeep(options));
  }
}

export function createSlackClients(options: { token: string; apiUrl: string; logger: Logger; scrubber: Scrubber; timeoutMs?: number }): SlackClients {
  const base: WebClientOptions = {
    slackApiUrl: normaliseApiUrl(options.apiUrl),
    logger: slackLogger(options.logger.child({ component: "slack-web-api" })),
    // The transport times calls out: the client's own timeout is an AbortSignal per call, which
    // keeps the call's objects alive as the transport's note says.
    fetch: httpFetch(options.timeoutMs ?? 30_000),
    timeout: 0,
    // A few quick retries for network errors; rate limits are handled separately.
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5_000, randomize: true },
  };
  return {
    api: new ScrubbingWebClient(options.token, base, options.scrubber),
    progress: new ScrubbingWebClient(options.token, { ...base, rejectRateLimitedCalls: true }, options.scrubber),
  };
}

/** The Web API client wants a trailing slash ("https://slack.com/api/"). */
export function normaliseApiUrl(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

const LEVELS: Record<string, LogLevel> = {
  trace: "debug" as LogLevel,
  debug: "debug" as LogLevel,
  info: "info" as LogLevel,
  warn: "warn" as LogLevel,
  error: "error" as LogLevel,
  fatal: "error" as LogLevel,
  silent: "error" as LogLevel,
};

/** The @slack/logger interface over pino. Slack's libraries log chatty lines at info; they go to debug. */
export function slackLogger(logger: Logger): SlackLogger {
  const text = (msg: unknown[]) => msg.map((m) => (m instanceof Error ? m.message : typeof m === "string" ? m : JSON.stringify(m))).join(" ");
  return {
    debug: (...msg: unknown[]) => logger.debug(text(msg)),
    info: (...msg: unknown[]) => logger.debug(text(msg)),
    warn: (...msg: unknown[]) => logger.warn(text(msg)),
    error: (...msg: unknown[]) => logger.error(text(msg)),
    setLevel: () => {},
    getLevel: () => LEVELS[logger.level] ?? ("info" as LogLevel),
    setName: () => {},
  };
}
