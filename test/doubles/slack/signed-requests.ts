// Requests as Slack sends them to an HTTP-mode app: Events API callbacks, slash commands and
// interactivity payloads, signed with the v0 scheme (HMAC-SHA256 of `v0:{timestamp}:{body}`).
import { createHmac, randomUUID } from "node:crypto";

export interface SignedResponse {
  status: number;
  body: string;
}

export function sign(secret: string, body: string, timestamp: number): Record<string, string> {
  const signature = createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex");
  return { "x-slack-request-timestamp": String(timestamp), "x-slack-signature": `v0=${signature}` };
}

export interface SendOptions {
  /** Seconds since the epoch to sign with (default now). */
  timestamp?: number;
  /** Signs with this secret instead of the right one (a forgery). */
  secret?: string;
  /** Slack's redelivery headers. */
  retryNum?: number;
}

export function slackSender(url: string, secret: string) {
  const post = async (body: string, contentType: string, options: SendOptions = {}): Promise<SignedResponse> => {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { "content-type": contentType, ...sign(options.secret ?? secret, body, timestamp) };
    if (options.retryNum !== undefined) Object.assign(headers, { "x-slack-retry-num": String(options.retryNum), "x-slack-retry-reason": "http_timeout" });
    const response = await fetch(url, { method: "POST", headers, body });
    return { status: response.status, body: await response.text() };
  };
  return {
    /** An Events API callback wrapping `event`; the same eventId makes a redelivery. */
    event(event: Record<string, unknown>, envelope: { teamId: string; eventId?: string; appId?: string }, options?: SendOptions) {
      return post(JSON.stringify(eventCallback(event, envelope)), "application/json", options);
    },
    command(fields: Record<string, string>, options?: SendOptions) {
      return post(new URLSearchParams({ command: "/agent", ...fields }).toString(), "application/x-www-form-urlencoded", options);
    },
    action(payload: Record<string, unknown>, options?: SendOptions) {
      return post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), "application/x-www-form-urlencoded", options);
    },
    raw: post,
  };
}

export function eventCallback(event: Record<string, unknown>, envelope: { teamId: string; eventId?: string; appId?: string }) {
  return {
    token: "deprecated-verification-token",
    team_id: envelope.teamId,
    api_app_id: envelope.appId ?? "A0DEEPAGENT",
    event: { event_ts: event["ts"], ...event },
    type: "event_callback",
    event_id: envelope.eventId ?? `Ev${randomUUID().replace(/-/g, "").slice(0, 12).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: envelope.teamId, user_id: "UBOT", is_bot: true, is_enterprise_install: false }],
  };
}
