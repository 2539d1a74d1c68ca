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
  // npm's log dir is writable by default in the runtime; denying ~/.npm makes it a
  // private scratch area instead of a channel between tasks.
  ".npm",
];

export function deniedReadPaths(dataDir: string, home = os.homedir(), projectDir = process.cwd()): string[] {
  return [
    dataDir,
    ...HOME_SECRETS.map((p) => path.join(home, p)),
    // Our own configuration, where API keys and tokens usually sit.
    path.join(projectDir, ".env"),
    "/etc/shadow",
    "/etc/gshadow",
  ];
}
