// GitHub on loopback for tests: the REST API (the `emulate` GitHub emulator behind rest-proxy.ts)
// and git over smart HTTP (git-server.ts), sharing one notion of who may do what: the git server
// asks the emulator, with the request's token, whether it may read the repository and what its
// permission is. Seeded with an organisation `acme` whose private `acme/widgets` the bot's token
// (a member) may write, a `reader` token that may only read it, and `globex/vault`, which the bot
// cannot see.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createEmulator, type Emulator } from "emulate";
import { installHooks, startGitServer, type GitServer } from "./git-server.ts";
import { startRestProxy, type RestProxy } from "./rest-proxy.ts";

const run = promisify(execFile);

export interface FakeGitHubOptions {
  /** The bot's token (GITHUB_TOKEN); a canary tests look for everywhere it must not be. */
  botToken?: string;
}

export interface PullView {
  number: number;
  state: string;
  draft: boolean;
  title: string;
  body: string | null;
  html_url: string;
  head: { ref: string };
  base: { ref: string };
}

export interface CommitView {
  sha: string;
  subject: string;
  body: string;
  author: string;
}

export interface FakeGitHub {
  gitUrl: string;
  apiUrl: string;
  tokens: { bot: string; reader: string; stranger: string };
  git: GitServer;
  rest: RestProxy;
  /** GITHUB_TOKEN, GITHUB_URL and GITHUB_API_URL for the app (the bot's token unless another is given). */
  env(token?: string): Record<string, string>;
  /** Branch name → commit, as the git server has them. */
  branches(repo: string): Promise<Record<string, string>>;
  /** A file's text at a ref, or null. */
  file(repo: string, ref: string, filePath: string): Promise<string | null>;
  /** Commits of a ref, newest first. */
  log(repo: string, ref: string): Promise<CommitView[]>;
  pulls(repo: string): Promise<PullView[]>;
  close(): Promise<void>;
}

const WIDGETS_FILES: Record<string, string> = {
  "README.md": "# widgets\n\nWidgets for acme.\n",
  "src/widget.txt": "colour = blue\n",
};

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const tokens = {
    bot: options.botToken ?? "ghp_canary_bot_token_0123456789abcdef",
    reader: "ghp_reader_token_0123456789abcdef0123",
    stranger: "ghp_stranger_token_0123456789abcdef01",
  };
  const logins: Record<string, string> = { [tokens.bot]: "deep-agent-bot", [tokens.reader]: "reader", [tokens.stranger]: "stranger" };
  const emulator: Emulator = await createEmulator({
    service: "github",
    port: 0,
    seed: {
      tokens: Object.fromEntries(Object.entries(logins).map(([token, login]) => [token, { login, scopes: ["repo"] }])),
      github: {
        users: [{ login: "deep-agent-bot" }, { login: "reader" }, { login: "stranger" }, { login: "globex-owner" }],
        orgs: [
          { login: "acme", members: [{ login: "deep-agent-bot", role: "admin" }] },
          { login: "globex", members: [{ login: "globex-owner", role: "admin" }] },
        ],
        repos: [
          { owner: "acme", name: "widgets", private: true, default_branch: "main" },
          { owner: "globex", name: "vault", private: true, default_branch: "main" },
        ],
      },
    } as never,
  });
  const emulatorUrl = emulator.url.replace("://localhost:", "://127.0.0.1:");
  const root = await mkdtemp(path.join(os.tmpdir(), "deep-agent-github-"));
  await createBareRepo(root, "acme/widgets", WIDGETS_FILES);
  await createBareRepo(root, "globex/vault", { "SECRET.md": "nothing to see\n" });
  const asToken = (token: string) => ({ authorization: `token ${token}`, accept: "application/vnd.github+json" });
  // The reader may read acme/widgets and nothing more.
  const added = await fetch(`${emulatorUrl}/repos/acme/widgets/collaborators/reader`, {
    method: "PUT",
    headers: { ...asToken(tokens.bot), "content-type": "application/json" },
    body: JSON.stringify({ permission: "pull" }),
  });
  if (!added.ok) throw new Error(`GitHub double: could not add the reader (${added.status} ${await added.text()})`);

  const git = await startGitServer({
    root: path.join(root, "repos"),
    async authorize(token, repo, write) {
      const login = logins[token];
      if (!login) return { access: "unauthenticated" };
      const seen = await fetch(`${emulatorUrl}/repos/${repo}`, { headers: asToken(token) });
      if (!seen.ok) return { access: "not_found", login };
      if (!write) return { access: "ok", login };
      const permission = await fetch(`${emulatorUrl}/repos/${repo}/collaborators/${login}/permission`, { headers: asToken(token) });
      const level = permission.ok ? ((await permission.json()) as { permission?: string }).permission : undefined;
      return { access: level && ["admin", "maintain", "write", "push"].includes(level) ? "ok" : "forbidden", login };
    },
  });
  const gitIn = async (repo: string, args: string[]) => (await run("git", ["--git-dir", git.dirOf(repo), ...args], { env: gitEnv() })).stdout;
  const branches = async (repo: string): Promise<Record<string, string>> => {
    const out = await gitIn(repo, ["for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads"]);
    return Object.fromEntries(
      out
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" ") as [string, string]),
    );
  };
  const rest = await startRestProxy({
    emulatorUrl,
    knownToken: (token) => token in logins,
    branchSha: async (repo, branch) => (await branches(repo).catch(() => ({}) as Record<string, string>))[branch] ?? null,
  });

  return {
    gitUrl: git.url,
    apiUrl: rest.url,
    tokens,
    git,
    rest,
    env: (token = tokens.bot) => ({ GITHUB_TOKEN: token, GITHUB_URL: git.url, GITHUB_API_URL: rest.url }),
    branches,
    async file(repo, ref, filePath) {
      try {
        return await gitIn(repo, ["show", `${ref}:${filePath}`]);
      } catch {
        return null;
      }
    },
    async log(repo, ref) {
      const out = await gitIn(repo, ["log", "--format=%H%x1f%s%x1f%b%x1f%an <%ae>%x1e", ref]);
      return out
        .split("\x1e")
        .map((c) => c.trim())
        .filter(Boolean)
        .map((c) => {
          const [sha, subject, body, author] = c.split("\x1f") as [string, string, string, string];
          return { sha, subject, body: body.trim(), author };
        });
    },
    async pulls(repo) {
      const res = await fetch(`${emulatorUrl}/repos/${repo}/pulls?state=all`, { headers: asToken(tokens.bot) });
      return (await res.json()) as PullView[];
    },
    async close() {
      await rest.close();
      await git.close();
      await emulator.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

function gitEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env["PATH"],
    HOME: os.tmpdir(),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "Acme Dev",
    GIT_AUTHOR_EMAIL: "dev@acme.test",
    GIT_COMMITTER_NAME: "Acme Dev",
    GIT_COMMITTER_EMAIL: "dev@acme.test",
  };
}

async function createBareRepo(root: string, repo: string, files: Record<string, string>): Promise<void> {
  const bare = path.join(root, "repos", `${repo}.git`);
  const seed = path.join(root, "seed", repo);
  await mkdir(path.dirname(bare), { recursive: true });
  await mkdir(seed, { recursive: true });
  await run("git", ["init", "--quiet", "--bare", "--initial-branch=main", bare], { env: gitEnv() });
  await installHooks(bare);
  await run("git", ["init", "--quiet", "--initial-branch=main", seed], { env: gitEnv() });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(seed, name)), { recursive: true });
    await writeFile(path.join(seed, name), content);
  }
  await run("git", ["-C", seed, "add", "-A"], { env: gitEnv() });
  await run("git", ["-C", seed, "commit", "--quiet", "-m", "Initial commit"], { env: gitEnv() });
  await run("git", ["-C", seed, "push", "--quiet", bare, "main"], { env: gitEnv() });
}
