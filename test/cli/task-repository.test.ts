// `deep-agent task --repo` and `queue add --repo` as a user runs them, against GitHub on loopback:
// the agent's change becomes a draft pull request whose URL is printed (and in --json), no change
// opens none, and a bad name, an unreadable repository or a refused push get one clear line and
// exit 2. The token (a canary) never reaches the model, the output, or the sandbox.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startMessagesApi, type MessagesApi, type Reply } from "../doubles/messages-api.ts";
import { startFakeGitHub, type FakeGitHub } from "../doubles/github/fake-github.ts";
import { cleanEnv, runCli } from "../helpers/run-cli.ts";
import { databaseTargets, createTarget } from "../helpers/test-database.ts";

let gh: FakeGitHub;
before(async () => {
  gh = await startFakeGitHub();
});
after(() => gh?.close());

const greenScript: Reply[] = [
  { toolCalls: [{ name: "execute", input: { command: "env; cat widgets/.git/config; git -C widgets remote -v; git -C widgets config --list" } }] },
  { toolCalls: [{ name: "edit_file", input: { file_path: "widgets/src/widget.txt", old_string: "blue", new_string: "green" } }] },
  { text: "Make the widgets green\n\nChanged `src/widget.txt`; checked it with cat." },
];

async function withCli(script: Reply[], fn: (env: NodeJS.ProcessEnv, api: MessagesApi, cwd: string) => Promise<void>, extra: Record<string, string> = {}) {
  const api = await startMessagesApi({ script });
  const dir = await mkdtemp(path.join(os.tmpdir(), "deep-agent-cli-repo-"));
  try {
    const env = cleanEnv({ ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: api.baseURL, DATA_DIR: path.join(dir, "data"), SANDBOX_ISOLATION: "none", ...gh.env(), ...extra });
    await fn(env, api, dir);
  } finally {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function assertNoToken(...texts: string[]): void {
  for (const text of texts) assert.ok(!text.includes(gh.tokens.bot), "the token leaked");
}

describe("task --repo", () => {
  test("--json: the agent's change is a draft pull request, given as pull_request", { timeout: 120_000 }, async () => {
    await withCli(greenScript, async (env, api, cwd) => {
      const r = await runCli(["task", "make the widgets green", "--repo", "acme/widgets", "--json"], { env, cwd });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.status, "succeeded");
      assert.deepEqual(Object.keys(out.pull_request).sort(), ["branch", "number", "url"]);
      assert.match(out.pull_request.branch, /^deep-agent\/[0-9a-f]{8}$/);
      assert.equal(out.pull_request.branch, `deep-agent/${out.id.replace(/-/g, "").slice(0, 8)}`);
      assert.equal(await gh.file("acme/widgets", out.pull_request.branch, "src/widget.txt"), "colour = green\n");
      const pull = (await gh.pulls("acme/widgets")).find((p) => p.number === out.pull_request.number)!;
      assert.equal(pull.html_url, out.pull_request.url);
      assert.equal(pull.draft, true);
      assert.equal(pull.head.ref, out.pull_request.branch);
      assert.match(pull.body ?? "", /on the command line/);
      // What the model saw: its prompt told it where the clone is; no command output carried the token.
      const sent = JSON.stringify(api.requests.map((q) => q.body));
      assert.match(sent, /acme\/widgets is checked out in `widgets\/`/);
      assert.match(sent, /remote\.origin\.url=http/, "the model did read the clone's git config");
      assertNoToken(sent, r.stdout, r.stderr);
    });
  });

  test("plain output prints the answer and the pull request's URL; repo= in the text works like --repo", { timeout: 120_000 }, async () => {
    await withCli(greenScript, async (env, _api, cwd) => {
      const r = await runCli(["task", "make the widgets green repo=acme/widgets"], { env, cwd });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Make the widgets green\n/);
      assert.match(r.stdout, /^pull request: http:\/\/\S+\/acme\/widgets\/pull\/\d+ \(draft, branch deep-agent\/[0-9a-f]{8}\)$/m);
    });
  });

  test("no change opens no pull request, and the answer says so", { timeout: 120_000 }, async () => {
    await withCli([{ text: "Nothing needed changing." }], async (env, _api, cwd) => {
      const before = Object.keys(await gh.branches("acme/widgets")).length;
      const json = await runCli(["task", "check the widgets", "--repo", "acme/widgets", "--json"], { env, cwd });
      assert.equal(json.code, 0, json.stderr);
      assert.equal(JSON.parse(json.stdout).pull_request, undefined);
      assert.equal(Object.keys(await gh.branches("acme/widgets")).length, before, "no branch pushed");
    });
    await withCli([{ text: "Nothing needed changing." }], async (env, _api, cwd) => {
      const plain = await runCli(["task", "check the widgets", "--repo", "acme/widgets"], { env, cwd });
      assert.equal(plain.code, 0, plain.stderr);
      assert.match(plain.stdout, /^no changes in acme\/widgets: no pull request opened$/m);
    });
  });

  test("a bad name, an unreadable repository, a missing token: one line, exit 2, nothing run", { timeout: 120_000 }, async () => {
    await withCli([], async (env, api, cwd) => {
      const cases: Array<[string[], RegExp, NodeJS.ProcessEnv?]> = [
        [["task", "x", "--repo", "not a repo"], /--repo: "not a repo" is not a repository name/],
        [["task", "x", "--repo=-acme/widgets"], /the owner must be letters/],
        [["task", "x repo=acme/a repo=acme/b"], /more than one repository/],
        [["task", "x", "--repo", "globex/vault"], /globex\/vault does not exist or GITHUB_TOKEN cannot read it/],
        [["task", "x", "--repo", "acme/widgets"], /GITHUB_TOKEN is not set/, { ...env, GITHUB_TOKEN: undefined }],
        [["task", "x", "--repo", "acme/widgets"], /GITHUB_URL: must be a valid GitHub URL/, { ...env, GITHUB_URL: "not a url" }],
        [["queue", "add", "x", "--repo", "acme"], /queue add: --repo: "acme" is not a repository name/],
        [["queue", "add", "x", "--repo", "globex/vault"], /cannot read it/],
      ];
      for (const [args, pattern, caseEnv] of cases) {
        const r = await runCli(args, { env: caseEnv ?? env, cwd });
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, pattern);
        assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
        assertNoToken(r.stderr, r.stdout);
      }
      assert.equal(api.requests.length, 0, "no task ran");
    });
  });

  test("a push GitHub refuses: the answer, the cause in one line, the work kept; exit 2", { timeout: 120_000 }, async () => {
    await gh.git.protect("acme/widgets", "deep-agent/*");
    try {
      await withCli(greenScript, async (env, _api, cwd) => {
        const r = await runCli(["task", "make the widgets green", "--repo", "acme/widgets", "--json"], { env, cwd });
        assert.equal(r.code, 2, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.equal(out.status, "failed");
        assert.equal(out.result, "Make the widgets green\n\nChanged `src/widget.txt`; checked it with cat.");
        assert.match(out.error, /the branch is protected/);
        assert.match(out.error, /kept in the sandbox/);
        assert.equal(out.pull_request, undefined);
      });
    } finally {
      // Later tests push to deep-agent/* again.
      await rm(path.join(gh.git.dirOf("acme/widgets"), "protected-branches"), { force: true });
    }
  });
});

for (const kind of databaseTargets()) {
  test(`queue add --repo records the repository with the task (${kind})`, { timeout: 120_000 }, async () => {
    const target = await createTarget(kind);
    try {
      const env = cleanEnv({ ...target.env, ...gh.env(), LOG_LEVEL: "warn" });
      const r = await runCli(["queue", "add", "fix the widgets", "--repo", "acme/widgets"], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^queued [0-9a-f-]{36} \(position \d+\) to work on acme\/widgets$/m);
      const list = await runCli(["queue", "list", "--json"], { env });
      assert.equal(list.code, 0, list.stderr);
      assert.ok(JSON.parse(list.stdout).some((t: { text: string }) => t.text === "fix the widgets"));
    } finally {
      await target.cleanup();
    }
  });
}
