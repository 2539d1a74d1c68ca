// `deep-agent show` against tasks a running worker ran: the transcript as plain lines, as JSON,
// an unknown id in one line (exit 2), and --follow on a running task until it ends.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { startTranscriptFixture, SECRET, type TranscriptFixture } from "../http/transcript-fixture.ts";
import { cli } from "../worker/processes.ts";
import { binPath, nodeFlags } from "../helpers/run-cli.ts";
import { waitFor } from "../helpers/wait-for.ts";
import type { TranscriptView } from "../../src/tasks/transcript-view.ts";

describe("deep-agent show", { timeout: 240_000 }, () => {
  let f: TranscriptFixture;

  before(async () => {
    f = await startTranscriptFixture();
  });
  after(async () => {
    await f?.close();
  });

  it("queue add names the show command; show prints the request, each command with its output, and the answer", async () => {
    const added = await cli(["queue", "add", "hello from the terminal"], f.env);
    const id = /queued ([0-9a-f-]{36})/.exec(added.stdout)![1]!;
    assert.match(added.stdout, new RegExp(`deep-agent show ${id} --follow`));
    assert.match(added.stdout, new RegExp(`^transcript: https://agent\\.example\\.test/tasks/${id}\\?t=[A-Za-z0-9_-]{43}$`, "m"));
    await waitFor("the task", async () => (await cli(["show", id, "--json"], f.env)).stdout.includes('"status":"succeeded"'), { timeoutMs: 60_000, intervalMs: 250 });
    const shown = await cli(["show", id], f.env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(!shown.stdout.includes("\x1b["), "plain lines when stdout is not a terminal");
    assert.match(shown.stdout, new RegExp(`task ${id}  succeeded`));
    assert.match(shown.stdout, /hello from the terminal/);
    assert.match(shown.stdout, /execute \$ echo hello-from-the-step\n {2}hello-from-the-step\n/);
    assert.match(shown.stdout, /exit code 0 in [\d.]+ s/);
    assert.match(shown.stdout, /answer:\n {2}Done: \*\*bold\*\* and <b>raw html<\/b>\./);
    assert.match(shown.stdout, /estimated cost/);

    const json = await cli(["show", id, "--json"], f.env);
    const view = JSON.parse(json.stdout) as TranscriptView;
    assert.equal(view.task.id, id);
    assert.ok(view.steps.some((s) => s.kind === "tool" && s.finished?.output.includes("hello-from-the-step")));
  });

  it("keeps configured secrets out of what it prints", async () => {
    const id = await f.run("secret task");
    const shown = await cli(["show", id], f.env);
    assert.ok(!shown.stdout.includes(SECRET));
    assert.match(shown.stdout, /echo the key is \[secret\]/);
  });

  it("shows control characters and NUL bytes in what a task printed, never sends them to the terminal", async () => {
    const id = await f.run("control characters");
    const shown = await cli(["show", id], f.env);
    assert.equal(shown.code, 0, shown.stderr);
    for (const raw of ["\x00", "\x07", "\x1b"]) assert.ok(!shown.stdout.includes(raw), `raw ${JSON.stringify(raw)} in: ${JSON.stringify(shown.stdout)}`);
    assert.match(shown.stdout, /title␛\]0;owned\\x07 nul␀end/);
  });

  it("an unknown or malformed id is one line and exit 2", async () => {
    for (const id of ["0b7c1f4e-3d2a-4c5b-9e8f-7a6b5c4d3e2f", "nope"]) {
      const r = await cli(["show", id], f.env);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`no task ${id}`));
    }
    assert.equal((await cli(["show"], f.env)).code, 2);
  });

  it("--follow streams a running task's steps as they come and ends with it", { timeout: 90_000 }, async () => {
    const id = await f.run("gated task", { until: "running" });
    const child = spawn(process.execPath, [...nodeFlags, binPath, "show", id, "--follow"], { env: f.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await waitFor("the first step", () => out.includes("first-live-step\n"), { timeoutMs: 30_000, detail: () => out + err });
    assert.ok(!out.includes("second-live-step"), "the second step has not happened yet");
    assert.ok(!out.includes("answer:"));
    f.openGate();
    const code = await exited;
    assert.equal(code, 0, err);
    assert.match(out, /execute \$ echo second-live-step\n {2}second-live-step\n/);
    assert.match(out, /status: succeeded/);
    assert.match(out, /answer:\n {2}Both steps ran\./);
  });
});
