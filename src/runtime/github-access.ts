// GitHub for one process, from the configuration: the client (token, GITHUB_URL, GITHUB_API_URL),
// who commits (the bot), and the scrubber for what goes to GitHub in our words (titles, bodies).
import type { Config } from "../config/env.ts";
import { secretValues } from "../config/secrets.ts";
import { createGitHub, type CloneIdentity, type GitHub } from "../github/github.ts";
import type { Logger } from "../shared/log.ts";
import { createScrubber, type Scrubber } from "../shared/scrub-secrets.ts";

export interface RepositoryService {
  github: GitHub;
  /** The author of every commit the worker makes. */
  identity: CloneIdentity;
  scrubber: Scrubber;
}

export function createRepositoryService(config: Config, logger: Logger, scrubber: Scrubber = createScrubber(secretValues(config))): RepositoryService {
  const host = hostOf(config.GITHUB_URL);
  return {
    github: createGitHub({
      gitUrl: config.GITHUB_URL,
      apiUrl: config.GITHUB_API_URL,
      logger: logger.child({ component: "github" }),
      ...(config.GITHUB_TOKEN ? { token: config.GITHUB_TOKEN } : {}),
    }),
    identity: { name: "deep-agent", email: `deep-agent@users.noreply.${host}` },
    scrubber,
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || "github.com";
  } catch {
    return "github.com";
  }
}
