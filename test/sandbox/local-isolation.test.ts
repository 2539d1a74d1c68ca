// What isolation (bubblewrap through @anthropic-ai/sandbox-runtime) really stops:
// writes outside the task, reads of other tasks and of credentials, the network.
// And what happens on a machine without it.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import type { Sandbox } from "../../src/sandbox/port.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";

const hasBwrap = spawnSync("sh", ["-c", "command -v bwrap"]).status === 0;
const CANARY = "canary-7f3c2a9e";
const CANARY_FILES = [
  ".vault-token",
  ".cargo/credentials.toml",
  ".bash_history",
  ".zsh_history",
  ".psql_history",
  ".mysql_history",
  ".python_history",
  ".node_repl_history",
  ".docker/config.json",
  ".kube/config",
];
const silent = pino({ level: "silent" });
const exec = (s: Sandbox, command: string) => s.exec(command, { timeoutMs: 30_000 });

describe("isolated commands", { skip: hasBwrap ? false : "bubblewrap (bwrap) is not installed" }, () => {
  let dataDir: string;
  let outsideDir: string;
  let fakeHome: string;
  let mcpConfig: string;
  let provider: LocalSandboxProvider;
  let mine: Sandbox;
  let theirs: Sandbox;
  const realHome = process.env["HOME"];

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-iso-"));
    outsideDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-iso-outside-"));
    // A home with credentials in it, as the deny list's home (read when the provider is made).
    fakeHome = await fs.mkdtemp(path.join(os.tmpdir(), "local-iso-home-"));
    await fs.mkdir(path.join(fakeHome, ".ssh"));
    await fs.writeFile(path.join(fakeHome, ".ssh", "id_ed25519"), "PRIVATE KEY");
    await fs.writeFile(path.join(fakeHome, ".netrc"), "machine x password hunter2");
    // Secrets outside the environment: tokens in files and histories, and our own MCP_CONFIG.
    for (const file of CANARY_FILES) {
      await fs.mkdir(path.dirname(path.join(fakeHome, file)), { recursive: true });
      await fs.writeFile(path.join(fakeHome, file), `canary ${CANARY} in ${file}\n`);
    }
    mcpConfig = path.join(outsideDir, "mcp.json");
    await fs.writeFile(mcpConfig, JSON.stringify({ mcpServers: { s: { url: "https://mcp.example/mcp", headers: { Authorization: `Bearer ${CANARY}` } } } }));
    process.env["HOME"] = fakeHome;
    try {
      provider = new LocalSandboxProvider({ dataDir, isolation: "auto", allowedDomains: [], secretFiles: [mcpConfig], logger: silent });
    } finally {
      process.env["HOME"] = realHome;
    }
    mine = await provider.create({ taskId: "mine" });
    theirs = await provider.create({ taskId: "theirs" });
    await theirs.writeFile("secret.txt", "their data");
  });

  after(async () => {
    await mine?.close();
    await theirs?.close();
    await provider?.close();
    for (const d of [dataDir, outsideDir, fakeHome]) await fs.rm(d, { recursive: true, force: true });
  });

  test("writing inside the task's directory works", async () => {
    const r = await exec(mine, "mkdir -p out && echo made > out/file.txt");
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(await fs.readFile(path.join(mine.workdir, "out", "file.txt"), "utf8"), "made\n");
  });

  test("writing outside the task's directory fails and the file does not appear", async () => {
    const target = path.join(outsideDir, "planted.txt");
    const r = await exec(mine, `echo x > ${JSON.stringify(target)}`);
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, /Read-only file system|Permission denied|Operation not permitted/);
    assert.equal(existsSync(target), false);

    // Next to the workdir (the data directory) a write lands on a private scratch
    // layer, if anywhere: never in the real directory.
    await exec(mine, 'echo x > "$HOME/../planted.txt"; echo x > "$HOME/../theirs/planted.txt"');
    assert.equal(existsSync(path.join(dataDir, "sandboxes", "planted.txt")), false);
    assert.equal(existsSync(path.join(theirs.workdir, "planted.txt")), false);
  });

  test("another task's directory and the data directory cannot be read", async () => {
    const r = await exec(mine, "cat ../theirs/secret.txt; ls ..");
    assert.doesNotMatch(r.stdout, /their data/);
    assert.doesNotMatch(r.stdout, /theirs/);
    const byPath = await exec(mine, `cat ${JSON.stringify(path.join(theirs.workdir, "secret.txt"))}`);
    assert.notEqual(byPath.exitCode, 0);
    assert.doesNotMatch(byPath.stdout, /their data/);
  });

  test("credential files in the home directory cannot be read", async () => {
    const r = await exec(mine, `cat ${fakeHome}/.ssh/id_ed25519 ${fakeHome}/.netrc`);
    assert.notEqual(r.exitCode, 0);
    assert.doesNotMatch(r.stdout, /PRIVATE KEY|hunter2/);
  });

  test("token files, shell and database histories, and the MCP_CONFIG file cannot be read", async () => {
    for (const file of [...CANARY_FILES.map((f) => path.join(fakeHome, f)), mcpConfig]) {
      const r = await exec(mine, `cat ${JSON.stringify(file)}; grep -r ${CANARY} ${JSON.stringify(path.dirname(file))}`);
      assert.doesNotMatch(r.stdout + r.stderr, new RegExp(CANARY), `${file} was readable`);
    }
  });

  describe("network", () => {
    let server: http.Server;
    let port: number;
    const node = JSON.stringify(process.execPath);
    // A request from inside the sandbox with our own node; prints the answer or why it failed.
    const fetchCommand = (url: string, viaProxy: boolean) =>
      `${viaProxy ? "NO_PROXY= no_proxy= NODE_USE_ENV_PROXY=1 " : ""}${node} -e ` +
      `"fetch('${url}').then(async r => console.log(r.status, await r.text()), e => { console.log('failed:', e.cause?.message ?? e.message); process.exit(3) })"`;

    before(async () => {
      server = http.createServer((_req, res) => res.end("hello from the host"));
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    test("the loopback server answers an unisolated command (control)", async () => {
      const open = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger: silent });
      const s = await open.create({ taskId: "control" });
      const r = await exec(s, fetchCommand(`http://127.0.0.1:${port}/`, false));
      assert.match(r.stdout, /200 hello from the host/);
      await s.close();
      await open.close();
    });

    test("with no allowed domains, connections are refused, directly and through the proxy", async () => {
      const direct = await exec(mine, fetchCommand(`http://127.0.0.1:${port}/`, false));
      assert.notEqual(direct.exitCode, 0);
      assert.doesNotMatch(direct.stdout, /hello from the host/);
      const proxied = await exec(mine, fetchCommand(`http://localhost:${port}/`, true));
      assert.doesNotMatch(proxied.stdout, /hello from the host/);
    });

    test("an allowed domain is reachable through the proxy, and only that one", async () => {
      const allowing = new LocalSandboxProvider({ dataDir, isolation: "auto", allowedDomains: ["localhost"], logger: silent });
      const s = await allowing.create({ taskId: "allowed" });
      try {
        const ok = await exec(s, fetchCommand(`http://localhost:${port}/`, true));
        assert.match(ok.stdout, /200 hello from the host/, ok.stderr);
        // Not listed, so refused, though the same server answers on it.
        const other = await exec(s, fetchCommand(`http://127.0.0.1:${port}/`, true));
        assert.doesNotMatch(other.stdout, /hello from the host/);
      } finally {
        await s.close();
        await allowing.close();
      }
    });
  });
});

test("without bubblewrap and without opting out, create() refuses and says how to fix it", async (t) => {
  // A machine without bwrap, for real: a child process whose PATH has the other
  // tools the runtime looks for, but not bwrap.
  const binDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-iso-bin-"));
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-iso-nobwrap-"));
  t.after(async () => {
    await fs.rm(binDir, { recursive: true, force: true });
    await fs.rm(dataDir, { recursive: true, force: true });
  });
  for (const tool of ["which", "bash", "sh", "socat", "rg"]) {
    const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (found) await fs.symlink(found, path.join(binDir, tool));
  }
  const providerUrl = new URL("../../src/sandbox/local/local-provider.ts", import.meta.url).href;
  const pinoUrl = import.meta.resolve("pino");
  const script = `
    import { LocalSandboxProvider } from ${JSON.stringify(providerUrl)};
    import pino from ${JSON.stringify(pinoUrl)};
    const logger = pino({ level: "silent" });
    const dataDir = ${JSON.stringify(dataDir)};
    const out = {};
    const strict = new LocalSandboxProvider({ dataDir, isolation: "auto", allowedDomains: [], logger });
    try { await strict.create({ taskId: "t1" }); out.created = true; }
    catch (e) { out.code = e.code; out.message = e.message; }
    await strict.close();
    const optedOut = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger });
    const s = await optedOut.create({ taskId: "t2" });
    out.optedOut = (await s.exec("echo runs", { timeoutMs: 10000 })).stdout;
    await s.close();
    await optedOut.close();
    console.log(JSON.stringify(out));
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: { PATH: binDir, HOME: os.tmpdir() },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(code, 0, stderr);
  const out = JSON.parse(stdout) as { created?: boolean; code?: string; message?: string; optedOut?: string };
  assert.equal(out.created, undefined, "create() must refuse");
  assert.equal(out.code, "isolation_unavailable");
  assert.match(out.message!, /bubblewrap \(bwrap\) not installed/);
  assert.match(out.message!, /apt-get install bubblewrap socat ripgrep/);
  assert.match(out.message!, /SANDBOX_ISOLATION=none/);
  assert.equal(out.optedOut, "runs\n");
});
