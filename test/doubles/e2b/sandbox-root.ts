// One stand-in sandbox's filesystem: a host directory playing the sandbox's "/".
// Sandbox paths (/home/user/x) map to <root>/home/user/x; relative paths resolve in the user's
// home, as envd resolves them. Commands run on the host see host paths, so they should use
// relative paths (their working directory is mapped).
import fs from "node:fs/promises";
import path from "node:path";

export const DEFAULT_USER = "user";
const KNOWN_USERS = new Set(["user", "root"]);

/** EntryInfo as protobuf JSON (filesystem.EntryInfo). */
export interface EntryInfoJson {
  name: string;
  type: "FILE_TYPE_FILE" | "FILE_TYPE_DIRECTORY" | "FILE_TYPE_SYMLINK" | "FILE_TYPE_UNSPECIFIED";
  path: string;
  size: string;
  mode: number;
  permissions: string;
  owner: string;
  group: string;
  modifiedTime: string;
  symlinkTarget?: string;
}

export class UnknownUserError extends Error {
  constructor(user: string) {
    super(`error looking up user '${user}': user: unknown user ${user}`);
    this.name = "UnknownUserError";
  }
}

// The stand-in's "template": an mcp-gateway that records its config and token where the real
// one keeps them, then exits as the real one does once it has daemonized.
function mcpGatewayScript(root: string): string {
  const dir = path.join(root, "etc", "mcp-gateway");
  return [
    "#!/bin/sh",
    'if [ "$1" != "--config" ] || [ -z "$2" ]; then echo "usage: mcp-gateway --config JSON" >&2; exit 2; fi',
    `mkdir -p '${dir}'`,
    `printf '%s' "$2" > '${dir}/config.json'`,
    `printf '%s' "$GATEWAY_ACCESS_TOKEN" > '${dir}/.token'`,
    "",
  ].join("\n");
}

export class SandboxRoot {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  static async create(root: string): Promise<SandboxRoot> {
    for (const dir of ["home/user", "root", "tmp", "etc", "usr/local/bin"]) {
      await fs.mkdir(path.join(root, dir), { recursive: true });
    }
    const gateway = path.join(root, "usr/local/bin/mcp-gateway");
    await fs.writeFile(gateway, mcpGatewayScript(root), { mode: 0o755 });
    return new SandboxRoot(root);
  }

  homeOf(user: string): string {
    if (!KNOWN_USERS.has(user)) throw new UnknownUserError(user);
    return user === "root" ? "/root" : `/home/${user}`;
  }

  /** A sandbox path, absolute and normalized; relative ones resolve in the user's home. */
  resolve(sandboxPath: string, user: string): string {
    const home = this.homeOf(user);
    const expanded = sandboxPath === "~" ? home : sandboxPath.startsWith("~/") ? home + sandboxPath.slice(1) : sandboxPath;
    return path.posix.resolve(home, expanded);
  }

  toHost(sandboxPath: string): string {
    return path.join(this.root, path.posix.resolve("/", sandboxPath));
  }

  /** Host path back to a sandbox path (for paths found by walking the host directory). */
  toSandbox(hostPath: string): string {
    const rel = path.relative(this.root, hostPath);
    return `/${rel.split(path.sep).filter(Boolean).join("/")}`;
  }

  /** Stats without following a final symlink, as envd does. Throws the fs error (ENOENT...). */
  async entry(sandboxPath: string): Promise<EntryInfoJson> {
    const host = this.toHost(sandboxPath);
    const stats = await fs.lstat(host);
    const type = stats.isSymbolicLink() ? "FILE_TYPE_SYMLINK" : stats.isDirectory() ? "FILE_TYPE_DIRECTORY" : stats.isFile() ? "FILE_TYPE_FILE" : "FILE_TYPE_UNSPECIFIED";
    const owner = sandboxPath.startsWith("/home/user") ? "user" : "root";
    const info: EntryInfoJson = {
      name: path.posix.basename(sandboxPath),
      type,
      path: sandboxPath,
      size: String(stats.size),
      mode: stats.mode & 0o777,
      permissions: permissionString(type, stats.mode),
      owner,
      group: owner,
      modifiedTime: stats.mtime.toISOString(),
    };
    if (type === "FILE_TYPE_SYMLINK") info.symlinkTarget = await fs.readlink(host);
    return info;
  }
}

// Go's FileMode.String(), which envd reports ("drwxr-xr-x", "-rw-r--r--", "Lrwxrwxrwx").
function permissionString(type: EntryInfoJson["type"], mode: number): string {
  const lead = type === "FILE_TYPE_DIRECTORY" ? "d" : type === "FILE_TYPE_SYMLINK" ? "L" : "-";
  const bits = "rwxrwxrwx";
  let out = lead;
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? bits[i] : "-";
  return out;
}

export function isErrno(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as NodeJS.ErrnoException).code === code;
}
