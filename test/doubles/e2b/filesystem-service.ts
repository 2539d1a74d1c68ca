// filesystem.Filesystem over Connect JSON: Stat, ListDir, MakeDir, Move, Remove, with envd's
// error codes (not_found, invalid_argument for "not a directory", already_exists). Watchers
// are refused as unimplemented.
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { RpcError, type RpcMethod } from "./connect-protocol.ts";
import { isErrno, type EntryInfoJson, type SandboxRoot } from "./sandbox-root.ts";

export interface FilesystemServiceContext {
  root: SandboxRoot;
  user: string;
}

const pathSchema = z.object({ path: z.string().default("") });
const listSchema = z.object({ path: z.string().default(""), depth: z.coerce.number().int().min(0).default(0) });
const moveSchema = z.object({ source: z.string(), destination: z.string() });

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new RpcError("invalid_argument", `bad request: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
}

function fsError(error: unknown, what: string): RpcError {
  if (isErrno(error, "ENOENT")) return new RpcError("not_found", `${what}: no such file or directory`);
  if (isErrno(error, "ENOTDIR")) return new RpcError("invalid_argument", `${what}: not a directory`);
  return new RpcError("internal", `${what}: ${(error as Error).message}`);
}

async function walk(ctx: FilesystemServiceContext, sandboxDir: string, depth: number, out: EntryInfoJson[]): Promise<void> {
  const names = (await fs.readdir(ctx.root.toHost(sandboxDir))).sort();
  for (const name of names) {
    const child = path.posix.join(sandboxDir, name);
    const entry = await ctx.root.entry(child);
    out.push(entry);
    if (depth > 1 && entry.type === "FILE_TYPE_DIRECTORY") await walk(ctx, child, depth - 1, out);
  }
}

export function filesystemMethods(ctx: FilesystemServiceContext): Record<string, RpcMethod> {
  const resolve = (p: string) => ctx.root.resolve(p, ctx.user);
  return {
    Stat: {
      kind: "unary",
      handler: async (input) => {
        const target = resolve(parse(pathSchema, input).path);
        try {
          return { entry: await ctx.root.entry(target) };
        } catch (error) {
          throw fsError(error, `file not found: ${target}`);
        }
      },
    },
    ListDir: {
      kind: "unary",
      handler: async (input) => {
        const req = parse(listSchema, input);
        const target = resolve(req.path);
        const stats = await fs.stat(ctx.root.toHost(target)).catch((error: unknown) => {
          throw fsError(error, `directory not found: ${target}`);
        });
        if (!stats.isDirectory()) throw new RpcError("invalid_argument", `path is not a directory: ${target}`);
        const entries: EntryInfoJson[] = [];
        await walk(ctx, target, req.depth === 0 ? 1 : req.depth, entries);
        return { entries };
      },
    },
    MakeDir: {
      kind: "unary",
      handler: async (input) => {
        const target = resolve(parse(pathSchema, input).path);
        const host = ctx.root.toHost(target);
        const stats = await fs.stat(host).catch(() => undefined);
        if (stats?.isDirectory()) throw new RpcError("already_exists", `directory already exists: ${target}`);
        if (stats) throw new RpcError("invalid_argument", `path already exists but it is not a directory: ${target}`);
        await fs.mkdir(host, { recursive: true }).catch((error: unknown) => {
          throw fsError(error, `error creating directory ${target}`);
        });
        return { entry: { name: path.posix.basename(target), type: "FILE_TYPE_DIRECTORY", path: target } };
      },
    },
    Move: {
      kind: "unary",
      handler: async (input) => {
        const req = parse(moveSchema, input);
        const source = resolve(req.source);
        const destination = resolve(req.destination);
        await fs.mkdir(path.dirname(ctx.root.toHost(destination)), { recursive: true }).catch(() => {});
        await fs.rename(ctx.root.toHost(source), ctx.root.toHost(destination)).catch((error: unknown) => {
          throw fsError(error, `error moving ${source} to ${destination}`);
        });
        return { entry: await ctx.root.entry(destination) };
      },
    },
    Remove: {
      kind: "unary",
      handler: async (input) => {
        const target = resolve(parse(pathSchema, input).path);
        await fs.rm(ctx.root.toHost(target), { recursive: true, force: true });
        return {};
      },
    },
  };
}
