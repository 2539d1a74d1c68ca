// The github adapter against GitHub on loopback: Octokit against the REST emulator, real git over
// smart HTTP against git http-backend. Reading, cloning, pushing a bundle, opening a draft pull
// request, and every refusal a user can meet, as the codes the surfaces word.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import { createGitHub, type GitHub } from "../../src/github/github.ts";
import { CodedError } from "../../src/shared/errors.ts";
import { startFakeGitHub, type FakeGitHub } from "../doubles/github/fake-github.ts";

const run = promisify(execFile);
const silent = pino({ level: "silent" });
const widgets = { owner: "acme", name: "widgets" };
const identity = { name: "deep-agent", email: "deep-agent@users.noreply.github.com" };

let gh: FakeGitHub;
before(async () => {
  gh = await startFakeGitHub();
});
after(() => gh?.close());

function github(token?: string): GitHub {
  return createGitHub({ gitUrl: gh.gitUrl, apiUrl: gh.apiUrl, logger: silent, ...(token ? { token } : {}) });
}

async function rejectsWith(promise: Promise<unknown>, code: string, detail?: RegExp): Promise<CodedError> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof CodedError, String(error));
  assert.equal(error.code, code, error.detail);
  if (detail) assert.match(error.detail, detail);
  return error;
}

/** Unpacks a clone archive, commits a change in it, and bundles the new commit as a sandbox would. */
async function workOn(archive: Buffer, change: Record<string, string>): Promise<{ bundle: Buffer; base: string; dir: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "deep-agent-work-"));
  await writeFile(path.join(dir, "clone.tar"), archive);
  await run("mkdir", [path.join(dir, "repo")]);
  await run("tar", ["-xf", path.join(dir, "clone.tar"), "-C", path.join(dir, "repo")]);
  const git = (...args: string[]) => run("git", ["-C", path.join(dir, "repo"), ...args], { env: { PATH: process.env["PATH"], HOME: dir, GIT_CONFIG_GLOBAL: "/dev/null" } });
  const base = (await git("rev-parse", "HEAD")).stdout.trim();
  if (Object.keys(change).length === 0) return { bundle: Buffer.alloc(0), base, dir };
  for (const [name, content] of Object.entries(change)) await writeFile(path.join(dir, "repo", name), content);
  await git("add", "-A");
  await git("commit", "--quiet", "-m", "work");
  await git("bundle", "create", path.join(dir, "work.bundle"), "HEAD", "--not", base);
  return { bundle: await readFile(path.join(dir, "work.bundle")), base, dir };
}

describe("reading", () => {
  test("a repository the token can read: its default branch", async () => {
    assert.deepEqual(await github(gh.tokens.bot).repository(widgets), { defaultBranch: "main", private: true });
    assert.deepEqual(await github(gh.tokens.reader).repository(widgets), { defaultBranch: "main", private: true });
  });

  test("one it cannot read, one that does not exist, a bad token, no token", async () => {
    await rejectsWith(github(gh.tokens.bot).repository({ owner: "globex", name: "vault" }), "repo_unreadable", /globex\/vault/);
    await rejectsWith(github(gh.tokens.bot).repository({ owner: "acme", name: "nothing-here" }), "repo_unreadable");
    await rejectsWith(github("ghp_not_a_real_token_000000000000").repository(widgets), "github_auth", /GITHUB_TOKEN/);
    await rejectsWith(github().repository(widgets), "github_auth", /GITHUB_TOKEN is not set/);
  });

  test("a rate limit is a transient failure naming when it resets", async () => {
    gh.rest.fail(/^GET \/repos\/acme\/widgets$/, { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2000000000" }, message: "API rate limit exceeded" });
    const error = await rejectsWith(github(gh.tokens.bot).repository(widgets), "github_rate_limited", /resets at 2033/);
    assert.equal(error.transient, true);
    gh.rest.fail(/^GET \/repos\/acme\/widgets$/, { status: 429, headers: { "retry-after": "30" } });
    await rejectsWith(github(gh.tokens.bot).repository(widgets), "github_rate_limited", /30 s/);
  });
});

describe("cloning", () => {
  test("a shallow clone with the bot as committer and no credential anywhere in it", async () => {
    const cloned = await github(gh.tokens.bot).cloneArchive(widgets, "main", identity);
    assert.ok(cloned);
    const { dir } = await workOn(cloned.archive, {});
    try {
      const repo = path.join(dir, "repo");
      assert.equal(await readFile(path.join(repo, "src/widget.txt"), "utf8"), "colour = blue\n");
      const config = await readFile(path.join(repo, ".git/config"), "utf8");
      assert.match(config, /name = deep-agent/);
      assert.match(config, new RegExp(`url = ${gh.gitUrl}/acme/widgets.git`));
      assert.ok(!config.includes(gh.tokens.bot) && !/extraheader|authorization/i.test(config), config);
      assert.ok(!cloned.archive.includes(Buffer.from(gh.tokens.bot)), "the token is nowhere in the archive");
      assert.ok((await readFile(path.join(repo, ".git/shallow"), "utf8")).includes(cloned.sha), "shallow");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    assert.ok(
      gh.git.requests.every((r) => !r.url.includes(gh.tokens.bot)),
      "the token never travels in a URL",
    );
    assert.ok(gh.git.requests.some((r) => r.authorized && r.status === 200));
  });

  test("a branch that does not exist is null; an unreadable repository is refused", async () => {
    assert.equal(await github(gh.tokens.bot).cloneArchive(widgets, "no-such-branch", identity), null);
    await rejectsWith(github(gh.tokens.bot).cloneArchive({ owner: "globex", name: "vault" }, "main", identity), "repo_unreadable", /globex\/vault/);
    await rejectsWith(github("ghp_not_a_real_token_000000000000").cloneArchive(widgets, "main", identity), "repo_unreadable");
  });
});

describe("pushing and the draft pull request", () => {
  test("the bundle's commit lands on a new branch, and a draft pull request is opened from it", async () => {
    const hub = github(gh.tokens.bot);
    const cloned = (await hub.cloneArchive(widgets, "main", identity))!;
    const work = await workOn(cloned.archive, { "src/widget.txt": "colour = green\n" });
    try {
      await hub.pushBundle(widgets, work.bundle, work.base, "deep-agent/adapter1");
      assert.equal(await gh.file("acme/widgets", "deep-agent/adapter1", "src/widget.txt"), "colour = green\n");
      assert.equal(await hub.openPullFor(widgets, "deep-agent/adapter1"), null);
      const pull = await hub.createDraftPull(widgets, { branch: "deep-agent/adapter1", base: "main", title: "Make widgets green", body: "Changed the colour." });
      assert.match(pull.url, /\/acme\/widgets\/pull\/\d+$/);
      const listed = (await gh.pulls("acme/widgets")).find((p) => p.number === pull.number)!;
      assert.equal(listed.draft, true);
      assert.equal(listed.head.ref, "deep-agent/adapter1");
      assert.equal(listed.base.ref, "main");
      assert.deepEqual(await hub.openPullFor(widgets, "deep-agent/adapter1"), pull);
      // Pushing the same work again on top of itself is a fast-forward no-op; an unrelated history is refused.
      const other = await workOn(cloned.archive, { "src/widget.txt": "colour = red\n" });
      try {
        await rejectsWith(hub.pushBundle(widgets, other.bundle, other.base, "deep-agent/adapter1"), "push_rejected", /changed there/);
      } finally {
        await rm(other.dir, { recursive: true, force: true });
      }
    } finally {
      await rm(work.dir, { recursive: true, force: true });
    }
  });

  test("a pull request from a branch never pushed is refused", async () => {
    await rejectsWith(github(gh.tokens.bot).createDraftPull(widgets, { branch: "deep-agent/never-pushed", base: "main", title: "x", body: "" }), "pull_request_failed", /422/);
  });

  test("a protected branch and a token that may only read are refused with their cause", async () => {
    const cloned = (await github(gh.tokens.bot).cloneArchive(widgets, "main", identity))!;
    const work = await workOn(cloned.archive, { "README.md": "changed\n" });
    try {
      await gh.git.protect("acme/widgets", "protected/*");
      await rejectsWith(github(gh.tokens.bot).pushBundle(widgets, work.bundle, work.base, "protected/x"), "branch_protected", /GH006/);
      await rejectsWith(github(gh.tokens.reader).pushBundle(widgets, work.bundle, work.base, "deep-agent/reader"), "push_rejected", /contents:write/);
      assert.equal((await gh.branches("acme/widgets"))["deep-agent/reader"], undefined);
    } finally {
      await rm(work.dir, { recursive: true, force: true });
    }
  });
});
