// Command isolation through @anthropic-ai/sandbox-runtime (bubblewrap on Linux,
// sandbox-exec on macOS). The runtime's SandboxManager is a process-wide singleton
// that runs network proxies, so it is started once, lazily, shared by every
// provider in the process, and stopped when the last one lets go.
//
// Everything task-specific goes per command: the filesystem policy as the wrap's
// custom config, the network allowlist as a per-command list under a random id.
// The shared configuration itself allows nothing.
import { randomBytes } from "node:crypto";
import os from "node:os";
import { SandboxManager, type SandboxRuntimeConfig } from "@anthropic-ai/sandbox-runtime";
import { CodedError } from "../../shared/errors.ts";
import { runProcess } from "./run-process.ts";
import { commandEnvironment } from "./command-env.ts";

export interface IsolationPolicy {
  /** Directories the command may write (and read). */
  writable: string[];
  /** Directories and files the command may not read, unless also writable. */
  deniedReads: string[];
  /** Domains reachable through the runtime's proxy; empty = no network. */
  allowedDomains: string[];
  /** TMPDIR inside the sandbox (the runtime would otherwise set a shared one). */
  tmpdir: string;
}

export interface WrappedCommand {
  /** A shell command line, to run with `bash -c`. */
  command: string;
  /** Call once the command has ended. */
  done(): void;
}

export interface IsolationHandle {
  /** Warnings the runtime reported about this machine (e.g. no seccomp filter). */
  readonly warnings: string[];
  wrap(command: string, policy: IsolationPolicy, signal?: AbortSignal): Promise<WrappedCommand>;
  /** Idempotent; the runtime stops when the last handle is released. */
  release(): Promise<void>;
}

const SHARED_CONFIG: SandboxRuntimeConfig = {
  network: { allowedDomains: [], deniedDomains: [] },
  filesystem: { denyRead: [], allowWrite: [], denyWrite: [] },
};

const INSTALL_HINT =
  "Install what is missing (Debian/Ubuntu: apt-get install bubblewrap socat ripgrep; " +
  "Fedora: dnf install bubblewrap socat ripgrep), or opt out explicitly with SANDBOX_ISOLATION=none " +
  "to run commands without isolation.";

let holders = 0;
let running: Promise<string[]> | undefined;
let stopping: Promise<void> | undefined;

/** Starts the shared runtime if needed; throws CodedError("isolation_unavailable") saying how to fix it. */
export async function acquireIsolation(): Promise<IsolationHandle> {
  await stopping;
  holders++;
  let warnings: string[];
  try {
    running ??= start();
    warnings = await running;
  } catch (error) {
    holders--;
    running = undefined;
    throw error;
  }
  let released = false;
  return {
    warnings,
    wrap: (command, policy, signal) => wrap(command, policy, signal),
    release: async () => {
      if (released) return;
      released = true;
      holders--;
      if (holders === 0) await stop();
    },
  };
}

async function start(): Promise<string[]> {
  if (!SandboxManager.isSupportedPlatform()) {
    throw unavailable(`the sandbox runtime does not support this platform (${process.platform})`);
  }
  const deps = SandboxManager.checkDependencies();
  if (deps.errors.length > 0) throw unavailable(deps.errors.join("; "));
  try {
    await SandboxManager.initialize(SHARED_CONFIG);
  } catch (error) {
    await SandboxManager.reset().catch(() => {});
    throw unavailable(`the sandbox runtime failed to start: ${(error as Error).message}`, error);
  }
  // Installed is not the same as usable: a container or an AppArmor policy can
  // forbid the user namespaces bubblewrap needs. One real command tells.
  const probe = await probeSandbox().catch((error: unknown) => ({ ok: false, detail: (error as Error).message }));
  if (!probe.ok) {
    await SandboxManager.reset().catch(() => {});
    throw unavailable(
      `a sandboxed test command failed (${probe.detail}). If bubblewrap cannot create namespaces here, ` +
        "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or " +
        "kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 24.04+), or run the container with " +
        "permission to create them",
    );
  }
  return deps.warnings;
}

async function probeSandbox(): Promise<{ ok: boolean; detail: string }> {
  const tmp = os.tmpdir();
  const wrapped = await wrap("true", { writable: [], deniedReads: [], allowedDomains: [], tmpdir: tmp });
  try {
    const result = await runProcess({
      file: "bash",
      args: ["-c", wrapped.command],
      cwd: tmp,
      env: commandEnvironment({ workdir: tmp, tmpdir: tmp }),
      timeoutMs: 30_000,
      maxOutputBytes: 4096,
    });
    const stderr = result.stderr.trim().split("\n").slice(0, 3).join(" / ");
    return { ok: result.exitCode === 0, detail: `exit ${result.exitCode}${stderr ? `: ${stderr}` : ""}` };
  } finally {
    wrapped.done();
  }
}

async function stop(): Promise<void> {
  const previous = running;
  running = undefined;
  if (!previous) return;
  stopping = previous
    .then(
      () => SandboxManager.reset(),
      () => {},
    )
    .finally(() => {
      stopping = undefined;
    });
  await stopping;
}

async function wrap(command: string, policy: IsolationPolicy, signal?: AbortSignal): Promise<WrappedCommand> {
  // Unguessable, as the runtime requires for an id that carries a network allowlist.
  const commandId = randomBytes(16).toString("base64url");
  const literal = (p: string) => ({ path: p, literal: true as const });
  const wrapped = await SandboxManager.wrapWithSandbox(
    // The runtime sets TMPDIR to one directory shared by all sandboxes; ours is per task.
    `export TMPDIR=${shellQuote(policy.tmpdir)}; ${command}`,
    "bash",
    {
      filesystem: {
        denyRead: policy.deniedReads.map(literal),
        allowRead: policy.writable.map(literal),
        allowWrite: policy.writable.map(literal),
        denyWrite: [],
      },
    },
    signal,
    { commandId, commandText: command },
  );
  if (policy.allowedDomains.length > 0) {
    SandboxManager.registerCommandNetworkLists(commandId, { allowedDomains: policy.allowedDomains });
  }
  let finished = false;
  return {
    command: wrapped,
    done: () => {
      if (finished) return;
      finished = true;
      SandboxManager.unregisterCommandNetworkLists(commandId);
      // Removes mount-point files bubblewrap leaves on the host for denied paths.
      SandboxManager.cleanupAfterCommand();
    },
  };
}

function unavailable(what: string, cause?: unknown): CodedError {
  return new CodedError("isolation_unavailable", `Commands cannot be isolated on this machine: ${what}. ${INSTALL_HINT}`, {
    cause,
  });
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
