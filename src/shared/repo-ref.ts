// Naming a GitHub repository: `owner/name` as people type it (in `--repo`, `/agent repo`) and
// `repo=owner/name` anywhere in a task's text. Pure: problems come back as words, never thrown.

export interface RepoName {
  owner: string;
  name: string;
}

/** What a task's text says about its repository. */
export type RepoInText =
  | { kind: "unsaid" }
  /** `repo=none`: this task works on no repository, whatever the channel's default. */
  | { kind: "none" }
  | { kind: "repo"; repo: RepoName }
  | { kind: "bad"; problem: string };

// GitHub's rules: an owner is 1-39 letters, digits or single hyphens, not at either end; a
// repository name is 1-100 letters, digits, '.', '_' or '-', and is not "." or "..".
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;
const MENTION = /(?:^|\s)repo=(\S*)/gi;

export function formatRepo(repo: RepoName): string {
  return `${repo.owner}/${repo.name}`;
}

/** `owner/name` (a trailing ".git" is dropped), or the problem in words. */
export function parseRepoName(text: string): { repo: RepoName } | { problem: string } {
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  const parts = text
    .trim()
    .replace(/\.git$/i, "")
    .split("/");
  if (parts.length !== 2) return { problem: `${shown} is not a repository name; give it as owner/name, e.g. acme/widgets` };
  const [owner, name] = parts as [string, string];
  if (!OWNER.test(owner)) return { problem: `${shown} is not a repository name: the owner must be letters, digits and single hyphens (at most 39)` };
  if (!NAME.test(name) || name === "." || name === "..") {
    return { problem: `${shown} is not a repository name: the name must be letters, digits, '.', '_' or '-' (at most 100)` };
  }
  return { repo: { owner, name } };
}

/** Finds `repo=owner/name` (or `repo=none`) in a task's text; two different ones are a problem. */
export function repoInText(text: string): RepoInText {
  const said = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    // Sentence punctuation right after the name is not part of it ("… in repo=acme/api.").
    said.add((match[1] ?? "").replace(/[.,;:!?)\]'"`]+$/, ""));
  }
  if (said.size === 0) return { kind: "unsaid" };
  if (said.size > 1) return { kind: "bad", problem: `the text names more than one repository (${[...said].map((s) => `repo=${s}`).join(", ")}); give one` };
  const value = [...said][0]!;
  if (value.toLowerCase() === "none") return { kind: "none" };
  const parsed = parseRepoName(value);
  return "repo" in parsed ? { kind: "repo", repo: parsed.repo } : { kind: "bad", problem: parsed.problem };
}

/** The same repository, however its name is capitalised (GitHub's names are case-insensitive). */
export function sameRepo(a: RepoName, b: RepoName): boolean {
  return formatRepo(a).toLowerCase() === formatRepo(b).toLowerCase();
}
