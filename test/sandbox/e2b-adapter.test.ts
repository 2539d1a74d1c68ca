// The E2B adapter through the real e2b SDK, against loopback stand-ins for E2B's control plane
// and for envd, the daemon in each sandbox (commands there run for real).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Sandbox } from "../../src/sandbox/port.ts";
import { CodedError } from "../../src/shared/errors.ts";
import { startFakeE2B, type FakeE2B } from "../doubles/e2b/fake-e2b.ts";
import { providerFor, uniqueSleep, waitUntilGone } from "./e2b-helpers.ts";

let fake: FakeE2B;
before(async () => {
  fake = await startFakeE2B({ templates: ["base", "mcp-gateway", "team-python"] });
});
after(async () => {
  await fake.close();
});

async function withSandbox<T>(run: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await providerFor(fake).create({ taskId: "t-with" });
  try {
    return await run(sandbox);
  } finally {
    await sandbox.close();
  }
}

describe("create", () => {
  test("starts a sandbox from E2B_TEMPLATE, tied to its task and thread, living as long as the task", async () => {
    const provider = providerFor(fake, { template: "team-python", graceMs: 60_000 });
    const sandbox = await provider.create({ taskId: "task-1", labels: { conversation: "C1:1700.1", team: "T9" }, lifetimeMs: 600_000 });
    try {
      assert.equal(sandbox.provider, "e2b");
      assert.equal(sandbox.workdir, "/home/user");
      const record = fake.api.sandbox(sandbox.id);
      assert.ok(record, "the control plane knows the sandbox");
      assert.equal(record.templateID, "team-python");
      assert.deepEqual(record.metadata, { team: "T9", conversation: "C1:1700.1", app: "deep-agent", taskId: "task-1" });
      assert.equal(record.timeouts[0], 660, "lifetime plus grace, in seconds");
      assert.deepEqual(record.envVars, {}, "no environment of ours is handed to the sandbox");
      assert.equal(sandbox.capabilities.mcpGateway, undefined, "no MCP servers configured, no gateway");
    } finally {
      await sandbox.close();
    }
  });

  test("commands get only the environment the operator configured, none of our secrets", async () => {
    const previous = process.env["ANTHROPIC_API_KEY"];
    process.env["ANTHROPIC_API_KEY"] = "sk-ant-secret-do-not-leak";
    try {
      const sandbox = await providerFor(fake, { envs: { PIP_INDEX_URL: "https://pypi.example" } }).create({ taskId: "t-env" });
      try {
        const result = await sandbox.exec("env", { timeoutMs: 10_000 });
        assert.equal(result.exitCode, 0);
        assert.match(result.stdout, /^PIP_INDEX_URL=https:\/\/pypi\.example$/m);
        assert.doesNotMatch(result.stdout, /sk-ant-secret-do-not-leak|ANTHROPIC|E2B_API_KEY/);
      } finally {
        await sandbox.close();
      }
    } finally {
      if (previous === undefined) delete process.env["ANTHROPIC_API_KEY"];
      else process.env["ANTHROPIC_API_KEY"] = previous;
    }
  });
});

describe("exec", () => {
  test("streams output while the command runs and returns both streams", async () => {
    await withSandbox(async (sandbox) => {
      const chunks: Array<[string, string]> = [];
      let released: Promise<void> | undefined;
      // The command waits for a file that the test writes only after seeing its first line,
      // so it can only finish if output arrives while it is still running.
      const result = await sandbox.exec("echo ready; echo warming >&2; while [ ! -f go ]; do sleep 0.05; done; echo done", {
        timeoutMs: 20_000,
        onOutput: (chunk, stream) => {
          chunks.push([stream, chunk]);
          if (!released && chunk.includes("ready")) released = sandbox.writeFile("go", "");
        },
      });
      await released;
      assert.equal(result.timedOut, false);
      assert.equal(result.exitCode, 0);
      assert.equal(result.stdout, "ready\ndone\n");
      assert.equal(result.stderr, "warming\n");
      assert.ok(chunks.some(([stream, c]) => stream === "stderr" && c.includes("warming")));
      assert.equal(
        chunks
          .filter(([s]) => s === "stdout")
          .map(([, c]) => c)
          .join(""),
        "ready\ndone\n",
      );
    });
  });

  test("a non-zero exit is a result, not an error", async () => {
    await withSandbox(async (sandbox) => {
      const result = await sandbox.exec("echo partial; echo 'no such thing' >&2; exit 3", { timeoutMs: 10_000 });
      assert.equal(result.exitCode, 3);
      assert.equal(result.stdout, "partial\n");
      assert.equal(result.stderr, "no such thing\n");
      assert.equal(result.timedOut, false);
      assert.equal(result.cancelled, false);
    });
  });

  test("runs in the workdir, or in cwd relative to it", async () => {
    await withSandbox(async (sandbox) => {
      await sandbox.writeFile("sub/marker.txt", "here");
      const result = await sandbox.exec("cat marker.txt", { timeoutMs: 10_000, cwd: "sub" });
      assert.equal(result.stdout, "here");
      await assert.rejects(sandbox.exec("true", { timeoutMs: 10_000, cwd: "missing-dir" }), (error: unknown) => {
        assert.ok(error instanceof CodedError);
        assert.equal(error.code, "file_not_found");
        assert.match(error.message, /\/home\/user\/missing-dir/);
        return true;
      });
    });
  });

  test("a command past its time limit is killed with its children", async () => {
    await withSandbox(async (sandbox) => {
      const marker = uniqueSleep();
      const result = await sandbox.exec(`echo started; sleep ${marker} & sleep ${marker}; echo never`, { timeoutMs: 700 });
      assert.equal(result.timedOut, true);
      assert.equal(result.cancelled, false);
      assert.equal(result.exitCode, 137);
      assert.equal(result.stdout, "started\n");
      assert.deepEqual(await waitUntilGone(marker), [], "no process of the command survives");
      // The sandbox is still usable afterwards.
      assert.equal((await sandbox.exec("echo alive", { timeoutMs: 10_000 })).stdout, "alive\n");
    });
  });

  test("aborting the signal kills the command and its children", async () => {
    await withSandbox(async (sandbox) => {
      const marker = uniqueSleep();
      const controller = new AbortController();
      const result = await sandbox.exec(`echo started; (sleep ${marker}; echo late) & sleep ${marker}`, {
        timeoutMs: 60_000,
        signal: controller.signal,
        onOutput: (chunk) => {
          if (chunk.includes("started")) controller.abort();
        },
      });
      assert.equal(result.cancelled, true);
      assert.equal(result.timedOut, false);
      assert.deepEqual(await waitUntilGone(marker), []);
    });
  });

  test("an already aborted signal runs nothing", async () => {
    await withSandbox(async (sandbox) => {
      const result = await sandbox.exec("touch ran", { timeoutMs: 10_000, signal: AbortSignal.abort() });
      assert.equal(result.cancelled, true);
      await assert.rejects(sandbox.readFile("ran"), { code: "file_not_found" });
    });
  });

  test("keeps the head and tail of huge output and counts what it dropped", async () => {
    await withSandbox(async (sandbox) => {
      const result = await sandbox.exec("echo first; head -c 200000 /dev/zero | tr '\\0' x; echo; echo last", {
        timeoutMs: 20_000,
        maxOutputBytes: 1000,
      });
      assert.equal(result.exitCode, 0);
      assert.ok(result.stdout.startsWith("first\nxxx"));
      assert.ok(result.stdout.endsWith("xxx\nlast\n"));
      assert.equal(result.droppedBytes, 6 + 200_000 + 1 + 5 - 1000);
      assert.match(result.stdout, /bytes of output dropped/);
    });
  });

  test("a command that outlasts the sandbox's lifetime extends it first", async () => {
    const sandbox = await providerFor(fake, { graceMs: 0 }).create({ taskId: "t-long", lifetimeMs: 1000 });
    try {
      const result = await sandbox.exec("sleep 2.5; echo finished", { timeoutMs: 30_000 });
      assert.equal(result.stdout, "finished\n", "E2B did not cut the sandbox off mid-command");
      assert.ok(fake.api.sandbox(sandbox.id)!.timeouts.some((s) => s >= 30));
    } finally {
      await sandbox.close();
    }
  });

  test("an idle sandbox stays alive while its task holds it", async () => {
    const sandbox = await providerFor(fake, { graceMs: 0, keepAliveMs: 1000 }).create({ taskId: "t-idle", lifetimeMs: 2000 });
    try {
      await new Promise((r) => setTimeout(r, 4500));
      assert.equal(fake.api.sandbox(sandbox.id)!.state, "running");
      assert.equal((await sandbox.exec("echo still here", { timeoutMs: 10_000 })).stdout, "still here\n");
    } finally {
      await sandbox.close();
    }
  });

  test("a sandbox that E2B ended reports it plainly", async () => {
    const sandbox = await providerFor(fake).create({ taskId: "t-gone" });
    await fake.api.expire(sandbox.id);
    await assert.rejects(sandbox.exec("echo hi", { timeoutMs: 10_000 }), { code: "sandbox_closed" });
    await assert.rejects(sandbox.readFile("x"), { code: "sandbox_closed" });
    await sandbox.close();
  });
});

describe("files", () => {
  test("round trip: relative paths land in the workdir and commands see them", async () => {
    await withSandbox(async (sandbox) => {
      await sandbox.writeFile("notes/today.md", "# Plan\nship it\n");
      assert.equal(new TextDecoder().decode(await sandbox.readFile("notes/today.md")), "# Plan\nship it\n");
      assert.equal(new TextDecoder().decode(await sandbox.readFile("/home/user/notes/today.md")), "# Plan\nship it\n");
      assert.equal((await sandbox.exec("wc -l < notes/today.md", { timeoutMs: 10_000 })).stdout.trim(), "2");

      const bytes = new Uint8Array([0, 1, 2, 250, 255, 10]);
      await sandbox.writeFile("bin/blob", bytes);
      assert.deepEqual(await sandbox.readFile("bin/blob"), bytes);

      await sandbox.exec("printf 'from a command' > made-by-exec.txt", { timeoutMs: 10_000 });
      assert.equal(new TextDecoder().decode(await sandbox.readFile("made-by-exec.txt")), "from a command");
    });
  });

  test("lists a directory with absolute paths, types and sizes", async () => {
    await withSandbox(async (sandbox) => {
      await sandbox.writeFile("proj/b.txt", "12345");
      await sandbox.writeFile("proj/a/inner.txt", "x");
      await sandbox.exec("ln -s b.txt proj/link", { timeoutMs: 10_000 });
      const entries = await sandbox.list("proj");
      assert.deepEqual(entries, [
        { name: "a", path: "/home/user/proj/a", type: "dir" },
        { name: "b.txt", path: "/home/user/proj/b.txt", type: "file", size: 5 },
        { name: "link", path: "/home/user/proj/link", type: "symlink" },
      ]);
      assert.ok((await sandbox.list(".")).some((e) => e.name === "proj" && e.type === "dir"));
    });
  });

  test("failures carry the port's error codes", async () => {
    await withSandbox(async (sandbox) => {
      await sandbox.writeFile("dir/file.txt", "x");
      await assert.rejects(sandbox.readFile("nope.txt"), { code: "file_not_found" });
      await assert.rejects(sandbox.readFile("dir"), { code: "is_directory" });
      await assert.rejects(sandbox.list("nope"), { code: "file_not_found" });
      await assert.rejects(sandbox.list("dir/file.txt"), { code: "not_directory" });
      await assert.rejects(sandbox.writeFile("dir", "x"), { code: "is_directory" });
      await assert.rejects(sandbox.writeFile("dir/file.txt/child", "x"), { code: "not_directory" });
    });
  });
});

describe("close and resume", () => {
  test("close() kills the sandbox; using it afterwards says it is closed", async () => {
    const sandbox = await providerFor(fake).create({ taskId: "t-kill" });
    await sandbox.close();
    assert.equal(fake.api.sandbox(sandbox.id)!.state, "killed");
    await assert.rejects(sandbox.exec("true", { timeoutMs: 1000 }), { code: "sandbox_closed" });
    await assert.rejects(sandbox.readFile("x"), { code: "sandbox_closed" });
  });

  test("close() stops commands still running", async () => {
    const sandbox = await providerFor(fake).create({ taskId: "t-close-running" });
    const marker = uniqueSleep();
    const running = sandbox.exec(`echo up; sleep ${marker}`, {
      timeoutMs: 60_000,
      onOutput: () => void sandbox.close(),
    });
    const result = await running;
    assert.equal(result.cancelled, true);
    assert.deepEqual(await waitUntilGone(marker), []);
  });

  test("close({ keep: true }) kills running commands before it pauses", async () => {
    const sandbox = await providerFor(fake).create({ taskId: "t-keep-running" });
    const marker = uniqueSleep();
    let closing: Promise<void> | undefined;
    const result = await sandbox.exec(`echo up; sleep ${marker}`, {
      timeoutMs: 60_000,
      onOutput: () => {
        closing ??= sandbox.close({ keep: true });
      },
    });
    await closing;
    assert.equal(result.cancelled, true);
    assert.equal(fake.api.sandbox(sandbox.id)!.state, "paused");
    assert.deepEqual(await waitUntilGone(marker), [], "nothing left frozen in the paused sandbox");
    await (await providerFor(fake).resume(sandbox.id, { taskId: "t-cleanup" }))?.close();
  });

  test("close({ keep: true }) pauses it and a follow-up resumes it with its files", async () => {
    const provider = providerFor(fake);
    const first = await provider.create({ taskId: "t-first", labels: { conversation: "C1:42.0" } });
    await first.writeFile("state.json", '{"step":1}');
    await first.close({ keep: true });
    assert.equal(fake.api.sandbox(first.id)!.state, "paused");

    const again = await provider.resume(first.id, { taskId: "t-second", labels: { conversation: "C1:42.0" } });
    assert.ok(again, "the paused sandbox came back");
    try {
      assert.equal(again.id, first.id);
      assert.equal(fake.api.sandbox(first.id)!.state, "running");
      assert.equal(new TextDecoder().decode(await again.readFile("state.json")), '{"step":1}');
      assert.equal((await again.exec("cat state.json", { timeoutMs: 10_000 })).stdout, '{"step":1}');
    } finally {
      await again.close();
    }
    assert.equal(await provider.resume(first.id, { taskId: "t-third" }), null, "a killed sandbox cannot be resumed");
  });
});

describe("start failures", () => {
  test("a sandbox that fails to start is retried with backoff", async () => {
    fake.api.failNextCreates(2, 503, "no capacity");
    const sandbox = await providerFor(fake).create({ taskId: "t-retry" });
    try {
      assert.equal((await sandbox.exec("echo ok", { timeoutMs: 10_000 })).stdout, "ok\n");
    } finally {
      await sandbox.close();
    }
  });

  test("after the last attempt it gives up with start_failed and the reason", async () => {
    fake.api.failNextCreates(3, 500, "orchestrator exploded");
    const before = fake.api.requests.length;
    await assert.rejects(providerFor(fake).create({ taskId: "t-fail" }), (error: unknown) => {
      assert.ok(error instanceof CodedError);
      assert.equal(error.code, "sandbox_unavailable");
      assert.match(error.message, /orchestrator exploded/);
      assert.match(error.message, /3 attempts/);
      return true;
    });
    assert.equal(fake.api.requests.length - before, 3);
  });

  test("a wrong API key fails at once and says E2B_API_KEY is wrong", async () => {
    const before = fake.api.requests.length;
    await assert.rejects(providerFor(fake, { apiKey: "e2b_wrong" }).create({ taskId: "t-auth" }), (error: unknown) => {
      assert.ok(error instanceof CodedError);
      assert.equal(error.code, "sandbox_unavailable");
      assert.match(error.message, /E2B_API_KEY is wrong/);
      return true;
    });
    assert.equal(fake.api.requests.length - before, 1, "no retry for a bad key");
  });

  test("an unknown template fails at once and names E2B_TEMPLATE", async () => {
    await assert.rejects(providerFor(fake, { template: "no-such-template" }).create({ taskId: "t-tpl" }), (error: unknown) => {
      assert.ok(error instanceof CodedError);
      assert.equal(error.code, "sandbox_unavailable");
      assert.match(error.message, /E2B_TEMPLATE/);
      assert.match(error.message, /no-such-template/);
      return true;
    });
  });
});
