// What the main thread and the launcher thread (launcher-thread.ts) say to each other.
import type { Failure } from "../../shared/errors.ts";
import type { ExecResult, OutputStream } from "../port.ts";
import type { RunProcessOptions } from "./run-process.ts";

/** One command to run; `streams`: whether its output is sent as it arrives. */
export type LaunchRequest = { id: number; kind: "run"; options: Omit<RunProcessOptions, "signal" | "onOutput" | "onOutputError">; streams: boolean } | { id: number; kind: "abort" };

export type LaunchReply =
  /** Sent once, when the thread can take commands. */
  | { kind: "ready" }
  | { id: number; kind: "output"; text: string; stream: OutputStream }
  | { id: number; kind: "done"; result: ExecResult }
  | { id: number; kind: "failed"; failure: Failure };
