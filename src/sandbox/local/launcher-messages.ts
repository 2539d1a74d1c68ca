// What a worker and its launcher process (launcher-process.ts) say to each other.
import type { Failure } from "../../shared/errors.ts";
import type { ExecResult, OutputStream } from "../port.ts";
import type { RunProcessOptions } from "./run-process.ts";

/** One command to run; `streams`: whether its output is sent as it arrives. */
export type LaunchRequest =
  | { id: number; kind: "run"; options: Omit<RunProcessOptions, "signal" | "onOutput" | "onOutputError" | "onStart">; streams: boolean }
  | { id: number; kind: "abort" };

export type LaunchReply =
  /** Sent once, when the launcher can take commands. */
  | { kind: "ready" }
  /** The command's process group, for the worker to stop should the launcher die. */
  | { id: number; kind: "started"; pid: number }
  | { id: number; kind: "output"; text: string; stream: OutputStream }
  | { id: number; kind: "done"; result: ExecResult }
  | { id: number; kind: "failed"; failure: Failure };
