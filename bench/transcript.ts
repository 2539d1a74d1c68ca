// What transcripts cost: the writer's work on the agent's path for one big tool output (scrub and
// cut a 2 MB output, the most `execute` returns), how many database writes a burst of events
// takes, and how long the page of a long transcript (500 events, 250 tool outputs of 16 KiB)
// takes to load and render, with its size. On embedded PGlite in a temporary directory.
// Usage: npx node bench/transcript.ts [runs=20]
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { loadConfig } from "../src/config/env.ts";
import { openDatabase } from "../src/store/open-database.ts";
import { migrate } from "../src/store/migrate.ts";
import { createTaskRepo } from "../src/store/task-repo.ts";
import { createTranscriptRepo, type TranscriptRepo } from "../src/store/transcript-repo.ts";
import { createTranscriptWriter } from "../src/tasks/transcript-writer.ts";
import { createTranscripts } from "../src/tasks/transcripts.ts";
import { createScrubber } from "../src/shared/scrub-secrets.ts";
import { renderPage } from "../src/http/transcript/page.ts";
import { median, ms } from "./stats.ts";

const runs = Number(process.argv[2] ?? 20);
const logger = pino({ level: "silent" });
const dir = await mkdtemp(path.join(os.tmpdir(), "bench-transcript-"));
const config = loadConfig({ DATA_DIR: dir, ANTHROPIC_API_KEY: "sk-bench-0123456789", AGENT_MODEL: "claude-bench" });
const db = await openDatabase(config, { role: "server" });
await migrate(db);
const tasks = createTaskRepo(db);
const repo = createTranscriptRepo(db);
const scrubber = createScrubber(["sk-bench-0123456789", "xoxb-bench-token-42", "ghp_bench_token_abcdef"]);

// 1. One 2 MB tool output through the writer's emit (what the agent's loop waits for).
const output = `${"line of build output with some words in it\n".repeat(48_000)}[exit code 0]`;
const emitTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  const id = (await tasks.insert({ text: "bench", source: "cli" })).task.id;
  const writer = createTranscriptWriter(repo, id, 1, { scrubber, logger });
  const started = performance.now();
  writer.emit({ agent: "main", type: "tool_finished", id: "toolu_1", name: "execute", ok: true, durationMs: 1, summary: "exit 0", output, exitCode: 0 });
  emitTimes.push(performance.now() - started);
  await writer.flush();
}

// 2. Writes for a burst of 1,000 events (a busy task's events between two flushes).
const burstTask = (await tasks.insert({ text: "bench", source: "cli" })).task.id;
let writes = 0;
const counting: Pick<TranscriptRepo, "append"> = {
  append: (...args) => {
    writes++;
    return repo.append(...args);
  },
};
const burst = createTranscriptWriter(counting, burstTask, 1, { scrubber, logger });
const burstStarted = performance.now();
for (let i = 0; i < 1000; i++) burst.emit({ agent: "main", type: "note", level: "info", message: `event ${i}` });
await burst.flush();
const burstMs = performance.now() - burstStarted;

// 3. The page of a long transcript.
const pageTask = (await tasks.insert({ text: "a long task", source: "cli" })).task.id;
const long = createTranscriptWriter(repo, pageTask, 1, { scrubber, logger });
const chunk = "x".repeat(16 * 1024);
for (let i = 0; i < 250; i++) {
  long.emit({ agent: "main", type: "tool_started", id: `toolu_${i}`, name: "execute", summary: `step ${i}`, input: { command: `make step-${i}` } });
  long.emit({ agent: "main", type: "tool_finished", id: `toolu_${i}`, name: "execute", ok: true, durationMs: 5, summary: "exit 0", output: chunk, exitCode: 0 });
}
await long.flush();
const transcripts = createTranscripts(db, config);
const pageTimes: number[] = [];
let size = 0;
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  const page = await transcripts.page(pageTask);
  const html = await renderPage(page!.view, { events: "/e", next: null });
  pageTimes.push(performance.now() - started);
  size = Buffer.byteLength(html);
}

console.log(`writer emit of a 2 MB tool output (scrub 3 secrets, cut to 16 KiB): median ${ms(median(emitTimes))} over ${runs} runs`);
console.log(`1,000 events emitted at once: ${writes} database writes, all stored in ${ms(burstMs)}`);
console.log(`page of 500 events (250 outputs of 16 KiB): median ${ms(median(pageTimes))} to load and render, ${(size / 1024).toFixed(0)} KiB of HTML`);
await db.close();
await rm(dir, { recursive: true, force: true });
