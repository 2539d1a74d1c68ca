// The bare baseline of bench/slack-intake.ts: a Bolt app on its own HTTPReceiver doing what an
// intake must do for a mention — verify the request (Bolt), ack, take the message once with one
// insert, and answer in the thread with one Web API call — on the same database as the product
// (pg Pool on Postgres, PGlite in this process otherwise). Prints {"port":…} once listening.
// Env: SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL, DATABASE_URL or DATA_DIR.
import path from "node:path";
import bolt from "@slack/bolt";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";

const env = process.env;
type Query = (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;
let query: Query;
let close: () => Promise<void>;
if (env["DATABASE_URL"]) {
  const pool = new pg.Pool({ connectionString: env["DATABASE_URL"], max: 10 });
  query = (sql, params) => pool.query(sql, params);
  close = () => pool.end();
} else {
  const db = await PGlite.create({ dataDir: path.join(env["DATA_DIR"]!, "pgdata") });
  query = (sql, params) => db.query(sql, params);
  close = () => db.close();
}
await query("CREATE TABLE IF NOT EXISTS bare_messages (channel text NOT NULL, ts text NOT NULL, text text, PRIMARY KEY (channel, ts))");

const receiver = new bolt.HTTPReceiver({ signingSecret: env["SLACK_SIGNING_SECRET"]!, endpoints: "/slack/events", processBeforeResponse: false });
const app = new bolt.App({
  token: env["SLACK_BOT_TOKEN"]!,
  botId: "BBARE",
  botUserId: "UBARE",
  receiver,
  clientOptions: { slackApiUrl: env["SLACK_API_URL"]! },
  logLevel: bolt.LogLevel.ERROR,
});
app.event("app_mention", async ({ event, client }) => {
  const { rows } = await query("INSERT INTO bare_messages (channel, ts, text) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING ts", [event.channel, event.ts, event.text]);
  if (rows.length === 0) return;
  await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: "On it." });
});
const server = await receiver.start(0);
const address = server.address();
process.stdout.write(`${JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 })}\n`);
process.on(
  "SIGTERM",
  () =>
    void receiver
      .stop()
      .then(close)
      .then(() => process.exit(0)),
);
