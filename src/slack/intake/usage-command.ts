// `/agent usage [days]`: estimated spend of the tasks of the last days (7 by default), answered
// only to the caller; per-person and per-channel lines for admins only.
import type { Database } from "../../store/database.ts";
import { createUsageRepo } from "../../store/usage-repo.ts";
import { usageText } from "../render/usage-text.ts";
import type { ExtraSubcommand } from "./intake-context.ts";

const HELP = "• `/agent usage [days]` — estimated spend of recent tasks (default 7 days): everyone's, this channel's and yours; admins also see it by person and channel";
const MAX_DAYS = 365;

export function usageSubcommand(options: { db: Database; model: string }): ExtraSubcommand {
  const repo = createUsageRepo(options.db);
  return {
    help: HELP,
    async run(args, caller) {
      const text = args.trim();
      const days = text === "" ? 7 : /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
      if (!(days >= 1 && days <= MAX_DAYS)) {
        return { text: `\`/agent usage\` takes a number of days from 1 to ${MAX_DAYS}, e.g. \`/agent usage 30\`.`, visibility: "ephemeral" };
      }
      const rows = await repo.spendSince(days);
      return { text: usageText(rows, { days, model: options.model, viewer: caller }), visibility: "ephemeral" };
    },
  };
}
