// The network half of repository work, done here and never in the sandbox: a shallow clone handed
// over as a tar archive (the sandbox unpacks it), and a push of the commits a sandbox hands back
// as a git bundle. Every git command runs in a fresh temporary directory of ours, so nothing a
// task wrote (hooks, config, filters) can run with the credential.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CodedError } from "../shared/errors.ts";
import { formatRepo, type RepoName } from "../shared/repo-ref.ts";
import { gitCredentialEnv } from "./credentials.ts";
import { cloneError, gitMessage, pushError } from "./git-errors.ts";
import { runGit, type RunGitOptions } from "./run-git.ts";

export interface GitRemoteOptions {
  /** GITHUB_URL: https://github.com, or a GitHub Enterprise host. */
  gitUrl: string;
  token?: string;
  /** Per git command (a clone of a big repository takes a while). */
  timeoutMs?: number;
}

/** Settings written into the clone's own .git/config: who commits in the sandbox. */
export interface CloneIdentity {
  name: string;
  email: string;
}

export interface ClonedArchive {
  /** A tar of the working tree and its .git, to unpack in the sandbox. */
  archive: Buffer;
  /** The commit checked out. */
  sha: string;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export function createGitRemote(options: GitRemoteOptions) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const credential = gitCredentialEnv(options.gitUrl, options.token);
  const remoteUrl = (repo: RepoName) => `${options.gitUrl}/${formatRepo(repo)}.git`;
  const git = (args: string[], cwd: string, signal: AbortSignal | undefined, withCredential = false) => {
    const run: RunGitOptions = { cwd, timeoutMs, ...(signal ? { signal } : {}), ...(withCredential ? { env: credential } : {}) };
    return runGit(args, run);
  };

  return {
    remoteUrl,

    /** A shallow clone of `branch`; null when the branch does not exist. Throws CodedError. */
    async cloneArchive(repo: RepoName, branch: string, identity: CloneIdentity, signal?: AbortSignal): Promise<ClonedArchive | null> {
      return withTempDir(async (dir) => {
        const clone = await git(["clone", "--quiet", "--depth", "1", "--single-branch", "--no-tags", "--branch", branch, remoteUrl(repo), "repo"], dir, signal, true);
        if (clone.code !== 0) {
          if (/remote branch .* not found/i.test(clone.stderr)) return null;
          throw cloneError(clone.stderr, formatRepo(repo));
        }
        const work = path.join(dir, "repo");
        for (const [key, value] of [
          ["user.name", identity.name],
          ["user.email", identity.email],
        ] as const) {
          const set = await git(["config", key, value], work, signal);
          if (set.code !== 0) throw new CodedError("internal", `could not configure the clone of ${formatRepo(repo)}: ${gitMessage(set.stderr)}`);
        }
        const head = await git(["rev-parse", "HEAD"], work, signal);
        if (head.code !== 0) throw new CodedError("internal", `the clone of ${formatRepo(repo)} has no HEAD: ${gitMessage(head.stderr)}`);
        return { archive: await tarOf(work, signal), sha: head.stdout.trim() };
      });
    },

    /**
     * Pushes HEAD of `bundle` (made against `base`, a commit GitHub has) to `branch`, never forced:
     * a branch that moved on GitHub rejects it. Throws CodedError (push_rejected, branch_protected…).
     */
    async pushBundle(repo: RepoName, bundle: Uint8Array, base: string, branch: string, signal?: AbortSignal): Promise<void> {
      const name = formatRepo(repo);
      await withTempDir(async (dir) => {
        await writeFile(path.join(dir, "work.bundle"), bundle);
        const bare = path.join(dir, "repo.git");
        const init = await git(["init", "--quiet", "--bare", bare], dir, signal);
        if (init.code !== 0) throw new CodedError("internal", `git init failed: ${gitMessage(init.stderr)}`);
        // The bundle's prerequisite (the commit the work started from) comes from GitHub itself.
        const fetchBase = await git(["fetch", "--quiet", "--depth", "1", "--no-tags", remoteUrl(repo), base], bare, signal, true);
        if (fetchBase.code !== 0) {
          if (/not our ref|couldn't find remote ref|no such remote ref|unadvertised object/i.test(fetchBase.stderr)) {
            throw new CodedError("push_rejected", `the commit this task's work started from (${base.slice(0, 12)}) is no longer on GitHub in ${name}`);
          }
          throw cloneError(fetchBase.stderr, name);
        }
        const fetchWork = await git(["-c", "fetch.fsckObjects=true", "fetch", "--quiet", "--no-tags", path.join(dir, "work.bundle"), `HEAD:refs/heads/${branch}`], bare, signal);
        if (fetchWork.code !== 0) throw new CodedError("internal", `the sandbox's commits could not be read (${gitMessage(fetchWork.stderr)})`);
        const push = await git(["push", "--quiet", remoteUrl(repo), `refs/heads/${branch}:refs/heads/${branch}`], bare, signal, true);
        if (push.code !== 0) throw pushError(push.stderr, name, branch);
      });
    },
  };
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "deep-agent-git-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function tarOf(dir: string, signal: AbortSignal | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("tar", ["-C", dir, "-cf", "-", "."], { stdio: ["ignore", "pipe", "pipe"], ...(signal ? { signal } : {}) });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (error) => reject(new CodedError("internal", `tar could not pack the clone: ${error.message}`, { cause: error })));
    child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new CodedError("internal", `tar could not pack the clone: ${stderr.trim()}`))));
  });
}
