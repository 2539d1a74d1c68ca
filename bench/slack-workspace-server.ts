// The Slack workspace double (emulator + recording proxy) in a process of its own, so a bench
// measures the app without the double's work in the same event loop. Prints one JSON line with
// what a client needs, then serves until stdin closes.
import { startSlackWorkspace } from "../test/doubles/slack/slack-workspace.ts";
import { startRecorder } from "./slack-recorder.ts";

const slack = await startSlackWorkspace();
const { apiUrl, emulatorUrl, botToken, appToken, teamId, bot, users, channels } = slack;
// recorderUrl: the same API through slack-recorder.ts, which notes when each call arrives.
const recorder = await startRecorder(apiUrl);
process.stdout.write(`${JSON.stringify({ apiUrl, recorderUrl: recorder.url, emulatorUrl, botToken, appToken, teamId, bot, users, channels })}\n`);
process.stdin.resume();
process.stdin.on("end", () => void slack.close().then(() => process.exit(0)));
process.on("SIGTERM", () => void slack.close().then(() => process.exit(0)));
