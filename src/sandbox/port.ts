// The sandbox port: everything the agent may do to the machine it works on.
// Adapters (local, e2b) implement it; the agent and its tools depend only on this file.
// Failures are CodedErrors (src/shared/errors.ts) with the file and sandbox codes.

export type OutputStream = "stdout" | "stderr";

export interface ExecOptions {
  /** Hard limit; the command (and its children) is killed when it passes. */
  timeoutMs: number;
  /** Aborting kills the command and its children. */
  signal?: AbortSignal;
  /** Called with output as it arrives (streaming). */
  onOutput?: (chunk: string, stream: OutputStream) => void;
  /** Relative to the sandbox's workdir; default the workdir itself. */
  cwd?: string;
  /** Output kept in the result per stream; the rest is counted, not kept. */
  maxOutputBytes?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The command was killed because the signal aborted. */
  cancelled: boolean;
  /** Bytes of output that were dropped because of maxOutputBytes. */
  droppedBytes: number;
  durationMs: number;
}

export interface FileEntry {
  name: string;
  /** Absolute path inside the sandbox. */
  path: string;
  type: "file" | "dir" | "symlink" | "other";
  size?: number;
}

/** A gateway to MCP servers running beside the sandbox, reached over Streamable HTTP with a bearer token. */
export interface McpGateway {
  url: string;
  token: string;
}

/** What an adapter may offer beyond the port; callers check before use. */
export interface SandboxCapabilities {
  mcpGateway?: McpGateway;
}

export interface ReadFileOptions {
  /**
   * The largest file the caller will take. A bigger file is refused with code "too_large"
   * before it is read. Adapters may also apply a cap of their own when none is given.
   */
  maxBytes?: number;
  /** Aborting stops the read. */
  signal?: AbortSignal;
}

export interface ReadTextOptions {
  /** 0-based first line to return; default 0. */
  offset?: number;
  /** Most lines to return; default all (up to maxBytes). */
  limit?: number;
  /** Most bytes of line text to return; the slice ends at the last whole line that fits (at least one line). */
  maxBytes?: number;
  /** Longer lines are cut to this many characters and marked cut. */
  maxLineChars?: number;
  /** Aborting stops the read. */
  signal?: AbortSignal;
}

/** Part of a text file, by lines, read no further than needed. Lines are split at "\n". */
export interface TextSlice {
  /** The file's size in bytes when it was opened. */
  size: number;
  /** A NUL byte in the first 8000 bytes: the file is binary and no lines are returned. */
  binary: boolean;
  /** Lines from `offset` on, without their "\n". */
  lines: Array<{ text: string; cut: boolean }>;
  /** Lines after the returned ones, when known; null when the adapter stopped reading before the end. */
  linesAfter: number | null;
  /** Lines in the whole file, when the read reached the end; null otherwise. */
  totalLines: number | null;
  /** The slice ended before `limit` lines because maxBytes was reached. */
  bytesCapped: boolean;
}

export interface Sandbox {
  readonly id: string;
  /** Absolute path where relative paths resolve and commands start. */
  readonly workdir: string;
  /** Which adapter this is, for logs and metrics ("local", "e2b"). */
  readonly provider: string;
  readonly capabilities: SandboxCapabilities;
  exec(command: string, options: ExecOptions): Promise<ExecResult>;
  /** Throws a CodedError: file_not_found, outside_workdir, is_directory, not_regular_file, too_large, file_io… */
  readFile(path: string, options?: ReadFileOptions): Promise<Uint8Array>;
  /**
   * A bounded slice of a text file, read only as far as needed (memory flat whatever the
   * file's size). Optional: without it, callers read the file with readFile and slice it.
   */
  readText?(path: string, options?: ReadTextOptions): Promise<TextSlice>;
  writeFile(path: string, content: string | Uint8Array): Promise<void>;
  list(path: string): Promise<FileEntry[]>;
  /**
   * Ends this task's use of the sandbox. `keep: true` asks the adapter to keep it
   * resumable (pause) for a later task of the same conversation; adapters that cannot keep
   * state just release it.
   */
  close(options?: { keep?: boolean }): Promise<void>;
}

/** The label that ties sandboxes of one conversation together, so a follow-up can reuse one. */
export const CONVERSATION_LABEL = "conversation";

export interface SandboxCreateOptions {
  taskId: string;
  /** Stored with the sandbox where the adapter can (E2B metadata); see CONVERSATION_LABEL. */
  labels?: Record<string, string>;
  /** Expected lifetime; adapters with their own timeouts keep the sandbox alive this long. */
  lifetimeMs?: number;
  signal?: AbortSignal;
  /**
   * The task works on a GitHub repository, whose token must not be readable inside the sandbox:
   * adapters leave out whatever would put GITHUB_TOKEN there (E2B: the GitHub server of its MCP
   * gateway, which runs inside the sandbox).
   */
  keepGitHubTokenOut?: boolean;
}

/** What a sweep asks the task records before it removes a sandbox. */
export interface SweepQuery {
  /** The task is queued or running. */
  isTaskActive(taskId: string): Promise<boolean>;
  /** A task of this conversation (the CONVERSATION_LABEL given at create) is queued or running. */
  isConversationActive(conversation: string): Promise<boolean>;
}

export interface SandboxProvider {
  readonly name: string;
  /** Throws a CodedError "sandbox_unavailable"; `transient` says whether trying again may help. */
  create(options: SandboxCreateOptions): Promise<Sandbox>;
  /** Reconnects to a sandbox kept by close({ keep: true }); null when it is gone. */
  resume?(id: string, options: SandboxCreateOptions): Promise<Sandbox | null>;
  /**
   * Removes sandboxes whose tasks are long over: ones kept for follow-ups that never came,
   * and ones left behind by a worker that died. Returns how many were removed.
   */
  sweep?(query: SweepQuery): Promise<number>;
  /** Releases what the provider holds (open sandboxes are kept, shared runtimes stopped). */
  dispose(): Promise<void>;
}
