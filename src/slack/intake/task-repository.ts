// Which GitHub repository a task from Slack works on, decided before it is queued: `repo=owner/name`
// in its text (`repo=none`: none), else — in a new thread — the channel's default. The repository
// must be readable with deep-agent's token, or the task is refused with one line only the asker
// sees. A follow-up in a thread that already works on a repository says nothing here: the worker
// continues the conversation's branch.
import { hasCode } from "../../shared/errors.ts";
import { formatRepo, parseRepoName, repoInText, type RepoName } from "../../shared/repo-ref.ts";
import type { SlackContext } from "../slack-context.ts";
import { failureWords } from "../render/failure-words.ts";
import { badTaskText } from "../render/replies.ts";

/** What the task's record keeps (meta.repo: a name, or null for "no repository"), or why it is refused. */
export type RepositoryChoice = { refused: string } | { meta: { repo?: string | null } };

export interface RepositoryRequest {
  channel: string;
  threadTs: string;
  text: string;
  threadHasTask?: boolean;
  /** The channel's default repository (null: none), when the caller read it already. */
  channelRepo?: string | null;
}

export async function chooseRepository(ctx: SlackContext, req: RepositoryRequest): Promise<RepositoryChoice> {
  const said = repoInText(req.text);
  if (said.kind === "bad") return { refused: badTaskText(said.problem) };
  if (said.kind === "none") return { meta: { repo: null } };
  if (said.kind === "repo") return readable(ctx, said.repo);
  // A thread that already has a task continues whatever that conversation works on.
  // The caller may know already whether the thread has a task (it just looked); otherwise look.
  if (req.threadHasTask) return { meta: {} };
  const [latest, fallback] = await Promise.all([
    req.threadHasTask === false ? null : ctx.messages.latestInThread(req.channel, req.threadTs),
    req.channelRepo !== undefined ? req.channelRepo : ctx.repos.channelDefault(req.channel).then((d) => d?.repo ?? null),
  ]);
  if (latest) return { meta: {} };
  if (!fallback) return { meta: {} };
  const parsed = parseRepoName(fallback);
  return "repo" in parsed ? readable(ctx, parsed.repo) : { meta: {} };
}

/** The repository if deep-agent's token can read it; the refusal in words otherwise. */
export async function readable(ctx: SlackContext, repo: RepoName): Promise<RepositoryChoice> {
  try {
    await ctx.repositories.github.repository(repo);
    return { meta: { repo: formatRepo(repo) } };
  } catch (error) {
    ctx.logger.info({ repo: formatRepo(repo), code: hasCode(error) ? error.code : undefined, err: error }, "slack: a task's repository cannot be used");
    return { refused: `I can't work on \`${formatRepo(repo)}\`: ${failureWords(hasCode(error) ? error.code : null)}` };
  }
}
