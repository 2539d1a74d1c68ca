// What the main thread and the embedded database's thread (database-thread.ts) say to each other.
// Besides the socket's requests (wire.ts): pg-boss's statements, LISTEN subscriptions and close.
import type { WireRequest, WireResponse } from "./wire.ts";

export type ThreadRequest =
  | WireRequest
  /** A statement of pg-boss's: a failure rolls back whatever block it left open (its pooled-driver semantics). */
  | { id: number; op: "boss"; sql: string; params?: unknown[] }
  | { id: number; op: "listen"; channel: string; sub: number }
  | { id: number; op: "unlisten"; sub: number }
  | { id: number; op: "close" };

export type ThreadMessage = WireResponse | { notify: number; payload: string } | { opened: true } | { failed: string };

export interface ThreadData {
  pgdata: string;
  /** Prepare repeated statements (prepared-statements.ts); off only for the benches' bare baseline. */
  prepare: boolean;
}
