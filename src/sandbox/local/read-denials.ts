// What isolated commands must not read: the data directory (other tasks' workdirs,
// the embedded database) and the usual places credentials live on a developer's or
// a server's machine. Everything else stays readable so compilers and tools work.
import os from "node:os";
import path from "node:path";

const HOME_SECRETS = [
  ".ssh",
  ".gnupg",
  ".aws",
  ".azure",
  ".config/gcloud",
  ".config/gh",
  ".config/hub",
  ".kube",
  ".docker",
  ".netrc",
  ".npmrc",
  ".yarnrc.yml",
  ".pypirc",
  ".git-credentials",
  ".pgpass",
  ".my.cnf",
  ".claude",
  ".claude.json",
  ".vault-token",
  ".cargo/credentials",
  ".cargo/credentials.toml",
  ".terraform.d",
  ".config/op",
  ".password-store",
  ".local/share/keyrings",
  // Shell and REPL histories: a token typed once on the command line stays there.
  ".bash_history",
  ".zsh_history",
  ".history",
  ".sh_history",
  ".local/share/fish/fish_history",
  ".psql_history",
  ".mysql_history",
  ".sqlite_history",
  ".python_history",
  ".node_repl_history",
  ".irb_history",
  ".lesshst",
  ".viminfo",
  // npm's log dir is writable by default in the runtime; denying ~/.npm makes it a
  // private scratch area instead of a channel between tasks.
  ".npm",
];

/** `secretFiles`: files of ours that hold secrets wherever they are (MCP_CONFIG). */
export function deniedReadPaths(dataDir: string, secretFiles: readonly string[] = [], home = os.homedir(), projectDir = process.cwd()): string[] {
  return [
    dataDir,
    ...secretFiles.map((p) => path.resolve(p)),
    ...HOME_SECRETS.map((p) => path.join(home, p)),
    // Our own configuration, where API keys and tokens usually sit.
    path.join(projectDir, ".env"),
    "/etc/shadow",
    "/etc/gshadow",
  ];
}
