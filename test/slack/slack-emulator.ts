// A Slack Web API emulator on loopback (`emulate`), driven by the real @slack/web-api client,
// with helpers to read what was posted in a channel and its threads.
import { createEmulator, type Emulator } from "emulate";
import { WebClient } from "@slack/web-api";

export interface SlackDouble {
  url: string;
  client: WebClient;
  /** A channel that exists (#general). */
  channel: string;
  /** Top-level messages of the channel, oldest first. */
  messages(channel: string): Promise<Array<{ ts: string; text: string }>>;
  /** Replies in a thread, without its parent, oldest first. */
  replies(channel: string, threadTs: string): Promise<Array<{ ts: string; text: string }>>;
  close(): Promise<void>;
}

export async function startSlackDouble(): Promise<SlackDouble> {
  const emulator: Emulator = await createEmulator({ service: "slack", port: 0, seed: { slack: { channels: [{ name: "general" }] } } });
  const url = `${emulator.url}/api/`;
  const client = new WebClient("xoxb-test-token", { slackApiUrl: url, retryConfig: { retries: 0 } });
  const list = await client.conversations.list({});
  const channel = list.channels?.find((c) => c.name === "general")?.id;
  if (!channel) throw new Error("the Slack emulator has no #general channel");
  return {
    url,
    client,
    channel,
    async messages(ch) {
      const res = await client.conversations.history({ channel: ch, limit: 200 });
      return (res.messages ?? [])
        .filter((m) => !m.thread_ts || m.thread_ts === m.ts)
        .map((m) => ({ ts: m.ts!, text: m.text ?? "" }))
        .sort((a, b) => Number(a.ts) - Number(b.ts));
    },
    async replies(ch, threadTs) {
      const res = await client.conversations.replies({ channel: ch, ts: threadTs, limit: 200 });
      return (res.messages ?? []).filter((m) => m.ts !== threadTs).map((m) => ({ ts: m.ts!, text: m.text ?? "" }));
    },
    close: () => emulator.close(),
  };
}
