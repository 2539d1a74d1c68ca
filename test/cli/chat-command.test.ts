import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startMessagesApi, type ScriptFn } from "../doubles/messages-api.ts";
import { cleanEnv, runCli } from "../helpers/run-cli.ts";

test("chat keeps one conversation and one sandbox across turns, and /exit cleans up", async () => {
  const script: ScriptFn = (req, ctx) => {
    const last = ctx.lastUserText();
    if (last.includes("remember")) return ctx.lastToolResults().length ? { text: "noted" } : { toolCalls: [{ name: "write_file", input: { file_path: "memo.txt", content: "kiwi" } }] };
    if (last.includes("what did")) {
      if (ctx.lastToolResults().length === 0) return { toolCalls: [{ name: "read_file", input: { file_path: "memo.txt" } }] };
      const earlier = JSON.stringify(req.body.messages).includes("remember kiwi");
      return { text: `you said ${ctx.lastToolResults()[0]!.content.split("\t")[1]} (history kept: ${earlier})` };
    }
    return ctx.lastToolResults().length ? { text: "noted" } : { text: "?" };
  };
  const api = await startMessagesApi({ script });
  const dir = await mkdtemp(path.join(os.tmpdir(), "deep-agent-chat-"));
  try {
    const env = cleanEnv({ ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: api.baseURL, DATA_DIR: path.join(dir, "data"), SANDBOX_ISOLATION: "none" });
    const r = await runCli(["chat"], { env, cwd: dir, input: "remember kiwi\nwhat did I say?\n/exit\n" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /noted/);
    assert.match(r.stdout, /you said kiwi \(history kept: true\)/);
    assert.deepEqual(await readdir(path.join(dir, "data", "sandboxes")).catch(() => []), [], "the sandbox was removed on exit");
  } finally {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
});
