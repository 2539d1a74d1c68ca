// process.Process over Connect JSON: Start and Connect (server streaming), List, SendSignal,
// SendInput, CloseStdin. PTY, Update and StreamInput are refused as unimplemented.
import { z } from "zod";
import { RpcError, type CallContext, type RpcMethod } from "./connect-protocol.ts";
import type { ProcessEventJson, ProcessTable, StandInProcess } from "./process-table.ts";

const selectorSchema = z.object({ pid: z.coerce.number().int().optional(), tag: z.string().optional() });

const startSchema = z.object({
  process: z.object({
    cmd: z.string().min(1),
    args: z.array(z.string()).default([]),
    envs: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
  }),
  pty: z.unknown().optional(),
  tag: z.string().optional(),
  stdin: z.boolean().optional(),
});

const connectSchema = z.object({ process: selectorSchema });

const signalSchema = z.object({
  process: selectorSchema,
  signal: z.union([z.literal("SIGNAL_SIGKILL"), z.literal("SIGNAL_SIGTERM"), z.literal(9), z.literal(15)]),
});

const inputSchema = z.object({
  process: selectorSchema,
  input: z.object({ stdin: z.string().optional(), pty: z.string().optional() }),
});

export interface ProcessServiceContext {
  processes: ProcessTable;
  user: string;
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new RpcError("invalid_argument", `bad request: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

/** Forwards a process's events to a stream until its end event, the client leaving, or the deadline. */
function forward(proc: StandInProcess, call: CallContext, send: (message: unknown) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const intervalS = Number(call.headers["keepalive-ping-interval"]);
    const keepalive = intervalS > 0 ? setInterval(() => send({ event: { keepalive: {} } }), intervalS * 1000) : undefined;
    const finish = (error?: unknown) => {
      clearInterval(keepalive);
      unsubscribe();
      call.signal.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => finish(call.signal.reason);
    const unsubscribe = proc.subscribe((event: ProcessEventJson) => {
      send({ event });
      if ("end" in event) finish();
    });
    if (call.signal.aborted) onAbort();
    else call.signal.addEventListener("abort", onAbort, { once: true });
  });
}

export function processMethods(ctx: ProcessServiceContext): Record<string, RpcMethod> {
  return {
    Start: {
      kind: "server_stream",
      handler: async (input, call, send) => {
        const req = parse(startSchema, input);
        if (req.pty !== undefined) throw new RpcError("unimplemented", "the stand-in runs no PTYs");
        const proc = await ctx.processes.start({
          config: req.process,
          user: ctx.user,
          tag: req.tag,
          stdin: req.stdin ?? true, // envd keeps stdin open unless told otherwise (older SDKs)
        });
        if (call.timeoutMs) proc.killAfter(call.timeoutMs);
        send({ event: { start: { pid: proc.pid } } });
        await forward(proc, call, send);
      },
    },
    Connect: {
      kind: "server_stream",
      handler: async (input, call, send) => {
        const proc = ctx.processes.find(parse(connectSchema, input).process);
        send({ event: { start: { pid: proc.pid } } });
        await forward(proc, call, send);
      },
    },
    List: {
      kind: "unary",
      handler: () => ({
        processes: ctx.processes.list().map((p) => ({
          config: p.config,
          pid: p.pid,
          ...(p.tag ? { tag: p.tag } : {}),
        })),
      }),
    },
    SendSignal: {
      kind: "unary",
      handler: (input) => {
        const req = parse(signalSchema, input);
        const kill = req.signal === "SIGNAL_SIGKILL" || req.signal === 9;
        ctx.processes.find(req.process).signal(kill ? "SIGKILL" : "SIGTERM");
        return {};
      },
    },
    SendInput: {
      kind: "unary",
      handler: (input) => {
        const req = parse(inputSchema, input);
        if (req.input.pty !== undefined) throw new RpcError("failed_precondition", "the stand-in runs no PTYs");
        ctx.processes.find(req.process).writeStdin(Buffer.from(req.input.stdin ?? "", "base64"));
        return {};
      },
    },
    CloseStdin: {
      kind: "unary",
      handler: (input) => {
        ctx.processes.find(parse(connectSchema, input).process).closeStdin();
        return {};
      },
    },
  };
}
