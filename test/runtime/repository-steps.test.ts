// A task's repository work around the agent, on both sandbox adapters (local under bubblewrap
// where it is available, E2B through the real SDK against its stand-ins), against GitHub on
// loopback: the clone lands in the sandbox without the token, a change becomes a commit on the
// task's branch and a draft pull request, a follow-up adds a commit to the same pull request
// (in the kept sandbox, or in a fresh one cloned from the branch), and no change opens nothing.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import { loadConfig } from "../../src/config/env.ts";
import { createRepositoryService, type RepositoryService } from "../../src/runtime/github-access.ts";
import { checkOutRepository, deliverRepository, taskBranch, type RepositoryPlan } from "../../src/runtime/repository-steps.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";
import type { Sandbox, SandboxProvider } from "../../src/sandbox/port.ts";
import { startFakeE2B, type FakeE2B } from "../doubles/e2b/fake-e2b.ts";
import { startFakeGitHub, type FakeGitHub } from "../doubles/github/fake-github.ts";
import { providerFor } from "../sandbox/e2b-helpers.ts";

const silent = pino({ level: "silent" });
const widgets = { owner: "acme", name: "widgets" };
const context = { taskText: "make the widgets green repo=acme/widgets", requestedBy: "Slack user U0ALICE", threadUrl: "https://slack.test/archives/C1/p1" };

let gh: FakeGitHub;
let fake: FakeE2B;
let dataDir: string;
let service: RepositoryService;
before(async () => {
  gh = await startFakeGitHub();
  fake = await startFakeE2B();
  dataDir = await mkdtemp(path.join(os.tmpdir(), "deep-agent-repo-steps-"));
  service = createRepositoryService(loadConfig({ ...gh.env(), DATA_DIR: dataDir }), silent);
});
after(async () => {
  await gh?.close();
  await fake?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Provider {
  name: string;
  provider: SandboxProvider;
  /** Where the sandbox's files are on this machine. */
  hostDir(sandbox: Sandbox): string;
}

const providers: Record<string, () => Provider> = {
  local: () => ({
    name: "local",
    provider: new LocalSandboxProvider({ dataDir, isolation: process.env["SANDBOX_ISOLATION"] === "none" ? "none" : "auto", allowedDomains: [], logger: silent }),
    hostDir: (s) => s.workdir,
  }),
  e2b: () => ({
    name: "e2b",
    // The bot's token configured for E2B's MCP gateway too: a repository task must still keep it out.
    provider: providerFor(fake, { githubToken: gh.tokens.bot }),
    hostDir: (s) => fake.envd.get(s.id)!.root.root,
  }),
};

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

async function assertNoToken(p: Provider, sandbox: Sandbox): Promise<void> {
  for (const file of await filesUnder(p.hostDir(sandbox))) {
    const bytes = await readFile(file);
    assert.ok(!bytes.includes(Buffer.from(gh.tokens.bot)), `the token is in ${file}`);
    assert.ok(!bytes.includes(Buffer.from(Buffer.from(`x-access-token:${gh.tokens.bot}`).toString("base64"))), `the credential header is in ${file}`);
  }
  const env = await sandbox.exec("env; git -C widgets config --list --show-origin; git -C widgets remote -v", { timeoutMs: 30_000 });
  assert.equal(env.exitCode, 0, env.stderr);
  assert.ok(!`${env.stdout}${env.stderr}`.includes(gh.tokens.bot), "the token is in the sandbox's environment or git config");
  assert.doesNotMatch(env.stdout, /extraheader|authorization/i);
}

for (const [kind, make] of Object.entries(providers)) {
  describe(`repository work on the ${kind} sandbox`, () => {
    let p: Provider;
    before(() => {
      p = make();
    });
    after(() => p?.provider.dispose());

    test("clone → change → commit on the task's branch → draft pull request; a follow-up adds a commit to it", { timeout: 120_000 }, async () => {
      const taskId = `${p.name === "local" ? "a1" : "b1"}c0ffee-0000-4000-8000-000000000001`;
      const branch = taskBranch(taskId);
      const plan: RepositoryPlan = { repo: widgets, branch, taskId };
      const sandbox = await p.provider.create({ taskId, keepGitHubTokenOut: true });
      try {
        const co = await checkOutRepository(service, sandbox, plan);
        assert.equal(co.dir, "widgets");
        assert.equal(co.baseBranch, "main");
        assert.match(co.note, /acme\/widgets is checked out in `widgets\/`/);
        assert.match(co.note, new RegExp(branch));
        assert.equal(new TextDecoder().decode(await sandbox.readFile("widgets/src/widget.txt")), "colour = blue\n");
        const onBranch = await sandbox.exec("git rev-parse --abbrev-ref HEAD", { timeoutMs: 30_000, cwd: "widgets" });
        assert.equal(onBranch.stdout.trim(), branch);
        await assertNoToken(p, sandbox);

        // The agent's work.
        await sandbox.writeFile("widgets/src/widget.txt", "colour = green\n");
        await sandbox.writeFile("widgets/NOTES.md", "green is better\n");
        const first = await deliverRepository(service, sandbox, co, { ...context, result: "Make the widgets green\n\nChanged the colour; checked with cat." });
        assert.equal(first.report.outcome, "opened", JSON.stringify(first.report));
        assert.equal(first.report.commits, 1);
        assert.equal(await gh.file("acme/widgets", branch, "src/widget.txt"), "colour = green\n");
        assert.equal(await gh.file("acme/widgets", branch, "NOTES.md"), "green is better\n");
        const [commit] = await gh.log("acme/widgets", branch);
        assert.equal(commit!.subject, "Make the widgets green");
        assert.match(commit!.author, /^deep-agent <deep-agent@users\.noreply\.127\.0\.0\.1>$/);
        assert.match(commit!.body, /Requested-by: Slack user U0ALICE/);
        assert.match(commit!.body, new RegExp(`Deep-Agent-Task: ${taskId}`));
        const pull = (await gh.pulls("acme/widgets")).find((x) => x.head.ref === branch)!;
        assert.equal(pull.draft, true);
        assert.equal(pull.base.ref, "main");
        assert.equal(pull.title, "Make the widgets green");
        assert.match(pull.body ?? "", /Changed the colour; checked with cat\./);
        assert.match(pull.body ?? "", /\[this thread\]\(https:\/\/slack\.test\/archives\/C1\/p1\)/);
        assert.deepEqual(first.report.pullRequest, { url: pull.html_url, number: pull.number });
        assert.equal(first.pushedSha, commit!.sha);

        // A follow-up in the same (kept) sandbox: a second commit on the same branch, the same pull request.
        const continued = { baseBranch: "main", startSha: co.since, pushedSha: first.pushedSha, pullRequest: first.report.pullRequest! };
        const co2 = await checkOutRepository(service, sandbox, { ...plan, taskId: `${taskId.slice(0, -1)}2`, continued });
        assert.equal(co2.dir, "widgets", "the clone in the kept sandbox is used again");
        assert.match(co2.note, new RegExp(`draft pull request #${pull.number}`));
        await sandbox.writeFile("widgets/src/widget.txt", "colour = dark green\n");
        const second = await deliverRepository(service, sandbox, co2, { ...context, result: "Darker green" });
        assert.equal(second.report.outcome, "updated", JSON.stringify(second.report));
        assert.deepEqual(second.report.pullRequest, first.report.pullRequest);
        const log = await gh.log("acme/widgets", branch);
        assert.deepEqual(
          log.slice(0, 2).map((c) => c.subject),
          ["Darker green", "Make the widgets green"],
        );
        assert.equal((await gh.pulls("acme/widgets")).filter((x) => x.head.ref === branch).length, 1, "no second pull request");

        // Nothing changed this time: nothing pushed, the pull request as it was.
        const co3 = await checkOutRepository(service, sandbox, { ...plan, continued: { ...continued, pushedSha: second.pushedSha } });
        const third = await deliverRepository(service, sandbox, co3, { ...context, result: "Looked, nothing to do." });
        assert.equal(third.report.outcome, "unchanged");
        assert.equal((await gh.log("acme/widgets", branch)).length, log.length);
        await assertNoToken(p, sandbox);

        // A follow-up whose sandbox is gone: a fresh one cloned from the branch as GitHub has it.
        const fresh = await p.provider.create({ taskId: `${taskId.slice(0, -1)}4`, keepGitHubTokenOut: true });
        try {
          const co4 = await checkOutRepository(service, fresh, { ...plan, continued: { ...continued, pushedSha: second.pushedSha } });
          assert.equal(new TextDecoder().decode(await fresh.readFile("widgets/src/widget.txt")), "colour = dark green\n");
          await fresh.writeFile("widgets/src/widget.txt", "colour = emerald\n");
          const fourth = await deliverRepository(service, fresh, co4, { ...context, result: "Emerald" });
          assert.equal(fourth.report.outcome, "updated", JSON.stringify(fourth.report));
          assert.equal(await gh.file("acme/widgets", branch, "src/widget.txt"), "colour = emerald\n");
          await assertNoToken(p, fresh);
        } finally {
          await fresh.close();
        }
      } finally {
        await sandbox.close();
      }
      if (p.name === "e2b") {
        const mcp = JSON.stringify(fake.api.sandbox(sandbox.id)?.mcp ?? null);
        assert.ok(!mcp.includes(gh.tokens.bot), "E2B's gateway is not given the token for a repository task");
      }
    });

    test("no change opens no pull request; a push GitHub refuses keeps the diff", { timeout: 120_000 }, async () => {
      const taskId = `${p.name === "local" ? "a2" : "b2"}c0ffee-0000-4000-8000-000000000001`;
      const plan: RepositoryPlan = { repo: widgets, branch: taskBranch(taskId), taskId };
      const sandbox = await p.provider.create({ taskId, keepGitHubTokenOut: true });
      try {
        const co = await checkOutRepository(service, sandbox, plan);
        const nothing = await deliverRepository(service, sandbox, co, { ...context, result: "Nothing to change." });
        assert.deepEqual(nothing.report, { repo: "acme/widgets", branch: plan.branch, outcome: "unchanged" });
        assert.equal((await gh.branches("acme/widgets"))[plan.branch], undefined, "no branch pushed");

        await gh.git.protect("acme/widgets", `${plan.branch}`);
        await sandbox.writeFile("widgets/README.md", "# widgets, protected\n");
        const refused = await deliverRepository(service, sandbox, co, { ...context, result: "Changed the README" });
        assert.equal(refused.report.outcome, "failed");
        assert.equal(refused.report.failure?.code, "branch_protected");
        assert.match(refused.report.diff ?? "", /\+# widgets, protected/);
        assert.equal(refused.pushedSha, null);
        const kept = await sandbox.exec("git log -1 --format=%s", { timeoutMs: 30_000, cwd: "widgets" });
        assert.equal(kept.stdout.trim(), "Changed the README", "the work stays committed in the sandbox");
      } finally {
        await sandbox.close();
      }
    });

    test("the agent's own commits go too; hooks and signing it turned on in the clone do not stop the bot's commit", { timeout: 120_000 }, async () => {
      const taskId = `${p.name === "local" ? "a4" : "b4"}c0ffee-0000-4000-8000-000000000001`;
      const plan: RepositoryPlan = { repo: widgets, branch: taskBranch(taskId), taskId };
      const sandbox = await p.provider.create({ taskId, keepGitHubTokenOut: true });
      try {
        const co = await checkOutRepository(service, sandbox, plan);
        const agent = await sandbox.exec(
          [
            "echo one > one.txt && git add one.txt && git commit -q -m 'The agent commits first'",
            "mkdir -p .git/hooks && printf '#!/bin/sh\nexit 1\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit",
            "git config commit.gpgSign true && git config user.name 'Mallory' && git config core.hooksPath .git/hooks",
            "echo two > two.txt",
          ].join(" && "),
          { timeoutMs: 30_000, cwd: "widgets" },
        );
        assert.equal(agent.exitCode, 0, agent.stderr);
        const delivered = await deliverRepository(service, sandbox, co, { ...context, result: "Two files" });
        assert.equal(delivered.report.outcome, "opened", JSON.stringify(delivered.report));
        assert.equal(delivered.report.commits, 2);
        const log = await gh.log("acme/widgets", plan.branch);
        assert.deepEqual(
          log.slice(0, 2).map((c) => c.subject),
          ["Two files", "The agent commits first"],
        );
        assert.match(log[0]!.author, /^deep-agent </, "the bot's commit is the bot's, whatever the clone's config says");
        assert.equal(await gh.file("acme/widgets", plan.branch, "two.txt"), "two\n");
      } finally {
        await sandbox.close();
      }
    });

    test("a repository the token cannot read fails the checkout with its cause", { timeout: 60_000 }, async () => {
      const taskId = `${p.name === "local" ? "a3" : "b3"}c0ffee-0000-4000-8000-000000000001`;
      const sandbox = await p.provider.create({ taskId });
      try {
        await assert.rejects(checkOutRepository(service, sandbox, { repo: { owner: "globex", name: "vault" }, branch: taskBranch(taskId), taskId }), (e: Error & { code?: string }) => {
          assert.equal(e.code, "repo_unreadable");
          return true;
        });
      } finally {
        await sandbox.close();
      }
    });
  });
}
