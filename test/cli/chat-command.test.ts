import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startMessagesApi, type ScriptFn } from "../doubles/messages-api.ts";
import { cleanEnv, runCli } from "../helpers/run-cli.ts";
import { waitFor } from "../helpers/wait-for.ts";

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

test("chat: Ctrl-C cancels the running turn and the chat goes on; a second Ctrl-C at the prompt leaves", async () => {
  const { spawn } = await import("node:child_process");
  const { binPath, nodeFlags } = await import("../helpers/run-cli.ts");
  const script: ScriptFn = (_req, ctx) => {
    const text = ctx.lastUserText();
    if (text.includes("slow") && ctx.lastToolResults().length === 0) return { toolCalls: [{ name: "execute", input: { command: "sleep 30" } }] };
    if (text.includes("hello")) return { text: "hello back" };
    return { text: "?" };
  };
  const api = await startMessagesApi({ script });
  const dir = await mkdtemp(path.join(os.tmpdir(), "deep-agent-chat-"));
  try {
    const env = cleanEnv({ ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: api.baseURL, DATA_DIR: path.join(dir, "data"), SANDBOX_ISOLATION: "none" });
    const child = spawn(process.execPath, [...nodeFlags, binPath, "chat"], { env, cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const until = (what: () => boolean, label: string) => waitFor(label, what, { timeoutMs: 10_000, detail: () => `stderr: ${stderr}` });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    child.stdin.write("do something slow\n");
    await until(() => stderr.includes("→ execute: sleep 30"), "the slow command to start");
    child.kill("SIGINT");
    await until(() => /cancelled/.test(stderr), "the turn to be cancelled");
    child.stdin.write("hello\n");
    await until(() => stdout.includes("hello back"), "the next turn's answer");
    child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGINT");
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /Leaving chat/);
    assert.deepEqual(await readdir(path.join(dir, "data", "sandboxes")).catch(() => []), []);
  } finally {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
});
