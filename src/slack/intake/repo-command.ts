// `/agent repo [owner/name | none]`: the channel's default GitHub repository. Without an argument
// it is shown (only to the caller); setting or clearing it is said in the channel, since it
// changes what everyone's tasks there do. A repository deep-agent cannot read is refused.
import { parseRepoName } from "../../shared/repo-ref.ts";
import type { SlackContext } from "../slack-context.ts";
import type { ExtraSubcommand } from "./intake-context.ts";
import { readable } from "./task-repository.ts";

export function repoSubcommand(ctx: SlackContext): ExtraSubcommand {
  return {
    help: "• `/agent repo [owner/name | none]` — this channel's GitHub repository: tasks started here work on it and end in a draft pull request (`repo=owner/name` in a task picks another, `repo=none` none)",
    async run(args, caller) {
      const ephemeral = (text: string) => ({ text, visibility: "ephemeral" as const });
      const arg = args.trim();
      if (arg === "") {
        const current = await ctx.repos.channelDefault(caller.channelId);
        return ephemeral(
          current
            ? `This channel's repository is \`${current.repo}\`${current.setBy ? ` (set by <@${current.setBy}>)` : ""}. Tasks started here work on it and end in a draft pull request. \`/agent repo none\` clears it.`
            : "This channel has no repository. `/agent repo owner/name` sets one; `repo=owner/name` in a task works on one for that task only.",
        );
      }
      if (arg.toLowerCase() === "none") {
        const was = await ctx.repos.clearChannelDefault(caller.channelId);
        return was
          ? { text: `<@${caller.userId}> cleared this channel's repository (was \`${was}\`): tasks started here no longer open pull requests.`, visibility: "in_channel" }
          : ephemeral("This channel had no repository; nothing to clear.");
      }
      const parsed = parseRepoName(arg);
      if ("problem" in parsed) return ephemeral(`I can't use that: ${parsed.problem}.`);
      const choice = await readable(ctx, parsed.repo);
      if ("refused" in choice) return ephemeral(choice.refused);
      const repo = choice.meta.repo!;
      await ctx.repos.setChannelDefault(caller.channelId, caller.teamId ?? null, repo, caller.userId);
      return {
        text: `<@${caller.userId}> set this channel's repository to \`${repo}\`: tasks started here now work on it and end in a draft pull request (\`repo=none\` in a task opts out).`,
        visibility: "in_channel",
      };
    },
  };
}
