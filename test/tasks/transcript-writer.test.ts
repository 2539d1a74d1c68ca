// The transcript writer on each database: a burst of events is stored in order in a handful of
// writes (never one per event), secrets never reach the table, huge values are cut with their
// size noted, and a hostile tool-use id cannot become markup on the page.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { pino } from "pino";
import { eachDatabase, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { openDatabase } from "../../src/store/open-database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { createTaskRepo } from "../../src/store/task-repo.ts";
import { createTranscriptRepo, type TranscriptRepo } from "../../src/store/transcript-repo.ts";
import { createTranscriptWriter } from "../../src/tasks/transcript-writer.ts";
import { TranscriptBuilder } from "../../src/tasks/transcript-view.ts";
import { createScrubber } from "../../src/shared/scrub-secrets.ts";
import { emptyUsage, type AgentEvent } from "../../src/agent/events.ts";
import type { Database } from "../../src/store/database.ts";

const logger = pino({ level: "silent" });
const SECRET = "sk-test-9f8e7d6c5b4a";

eachDatabase((kind) => {
  describe(`transcript writer on ${kind}`, () => {
    let target: TestTarget;
    let db: Database;
    let repo: TranscriptRepo;

    before(async () => {
      target = await createTarget(kind);
      db = await openDatabase(target.config, { role: "server" });
      await migrate(db);
      repo = createTranscriptRepo(db);
    });
    after(async () => {
      await db?.close();
      await target?.cleanup();
    });

    const newTask = async () => (await createTaskRepo(db).insert({ text: "t", source: "cli" })).task.id;

    it("stores 300 events in order with a few writes, not one each", async () => {
      const id = await newTask();
      let writes = 0;
      const counted: Pick<TranscriptRepo, "append"> = {
        append: (...args) => {
          writes++;
          return repo.append(...args);
        },
      };
      const writer = createTranscriptWriter(counted, id, 1, { scrubber: createScrubber([]), logger, intervalMs: 60_000 });
      for (let i = 0; i < 300; i++) writer.emit({ agent: "main", type: "note", level: "info", message: `note ${i}` });
      await writer.flush();
      assert.ok(writes <= 3, `${writes} writes for 300 events`);
      const stored = await repo.after(id, 0, 1000);
      assert.deepEqual(
        stored.map((e) => e.payload["message"]),
        Array.from({ length: 300 }, (_, i) => `note ${i}`),
      );
      // A quiet writer's last events go out at the end of the attempt (flush), in one write.
      const before = writes;
      writer.emit({ agent: "main", type: "turn", turn: 2 });
      writer.emit({ agent: "main", type: "text", text: "done", final: true });
      await writer.flush();
      assert.equal(writes, before + 1);
      assert.equal(await repo.count(id), 302);
    });

    it("the rest goes with the final state: a write in flight ends first, nothing is stored twice or lost, and all of it is there when the outcome is", async () => {
      const tasks = createTaskRepo(db);
      const id = await newTask();
      await tasks.claim(id, 1, "w");
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let writes = 0;
      const slow: Pick<TranscriptRepo, "append"> = {
        append: async (...args) => {
          writes++;
          await held;
          return repo.append(...args);
        },
      };
      const writer = createTranscriptWriter(slow, id, 1, { scrubber: createScrubber([SECRET]), logger, intervalMs: 60_000 });
      for (let i = 0; i < 200; i++) writer.emit({ agent: "main", type: "note", level: "info", message: `note ${i}` });
      // 200 events start a write at once; these wait behind it.
      writer.emit({ agent: "main", type: "note", level: "info", message: `late ${SECRET}` });
      writer.emit({ agent: "main", type: "text", text: "done", final: true });
      const taking = writer.takeRest();
      setTimeout(release, 20);
      const rest = await taking;
      assert.equal(writes, 2, "the write in flight took what came in meanwhile; takeRest waited for both");
      assert.equal(rest.length, 0);
      const usage = emptyUsage();
      writer.emit({ agent: "main", type: "finished", status: "succeeded", result: "done", usage });
      const last = await writer.takeRest();
      assert.deepEqual(
        last.map((e) => e.kind),
        ["finished"],
      );
      const finished = await tasks.finish(id, 1, { status: "succeeded", result: "done", todos: [], usage, turns: 1 }, last);
      assert.equal(finished?.status, "succeeded");
      const stored = await repo.after(id, 0, 1000);
      assert.equal(stored.length, 203);
      assert.equal(new Set(stored.map((e) => e.seq)).size, 203);
      assert.deepEqual(
        stored.slice(-3).map((e) => e.kind),
        ["note", "text", "finished"],
      );
      assert.ok(!JSON.stringify(stored).includes(SECRET), "scrubbed before it was handed over");
      // An attempt that no longer holds the task still keeps its events; its outcome is not recorded.
      const more = await writer.takeRest();
      writer.emit({ agent: "main", type: "turn", turn: 9 });
      assert.equal(await tasks.finish(id, 1, { status: "failed", result: "", todos: [], usage, turns: 9 }, [...more, ...(await writer.takeRest())]), null);
      assert.equal(await repo.count(id), 204);
    });

    it("scrubs secrets before they are stored and cuts huge values, noting the original size", async () => {
      const id = await newTask();
      const writer = createTranscriptWriter(repo, id, 1, { scrubber: createScrubber([SECRET]), logger });
      const huge = `${"x".repeat(3_000_000)}${SECRET}${"y".repeat(10)}`;
      const events: AgentEvent[] = [
        {
          agent: "main",
          type: "tool_started",
          id: "toolu_1",
          name: "execute",
          summary: `curl -H 'Authorization: Bearer ${SECRET}'`,
          input: { command: `curl -H 'Authorization: Bearer ${SECRET}'` },
        },
        { agent: "main", type: "tool_finished", id: "toolu_1", name: "execute", ok: true, durationMs: 5, summary: "exit 0", output: huge, exitCode: 0 },
        { agent: "main", type: "text", text: `the key was ${SECRET}`, final: true },
      ];
      for (const e of events) writer.emit(e);
      await writer.flush();
      const { rows } = await db.query<{ payload: string }>("SELECT payload::text AS payload FROM task_events WHERE task_id = $1", [id]);
      const text = rows.map((r) => r.payload).join("\n");
      assert.ok(!text.includes(SECRET));
      assert.ok(text.length < 100_000, `${text.length} characters stored`);
      const builder = new TranscriptBuilder();
      builder.add(await repo.after(id, 0, 10));
      const view = builder.view((await createTaskRepo(db).get(id))!, "claude-test");
      const tool = view.steps.find((s) => s.kind === "tool");
      assert.ok(tool?.kind === "tool" && tool.finished);
      assert.deepEqual(tool.input, { command: "curl -H 'Authorization: Bearer [secret]'" });
      assert.equal(tool.finished.outputChars, 3_000_000 + "[secret]".length + 10, "the size after scrubbing, before the cut");
      assert.match(tool.finished.output, /characters cut from the middle of this output/);
      assert.ok(tool.finished.output.endsWith("[secret]yyyyyyyyyy"));
      assert.equal(view.answer, "the key was [secret]");
    });

    it("a hostile tool-use id is made safe to use as an element id", async () => {
      const id = await newTask();
      const writer = createTranscriptWriter(repo, id, 1, { scrubber: createScrubber([]), logger });
      writer.emit({ agent: "main", type: "tool_started", id: '"><script>alert(1)</script>', name: "ls", summary: "." });
      await writer.flush();
      const builder = new TranscriptBuilder();
      const [step] = builder.add(await repo.after(id, 0, 10));
      assert.ok(step);
      assert.match(step.key, /^tool-[A-Za-z0-9_-]+$/);
    });
  });
});
