// The credential for one git command: an `Authorization` header given to git through its
// GIT_CONFIG_* environment (git 2.31+), scoped to the GitHub host so a redirect elsewhere does
// not carry it. It lives in that process's environment only: not in its arguments (visible to
// every process on the machine), not in any file, not in a remote URL.

export function gitCredentialEnv(gitUrl: string, token: string | undefined): Record<string, string> {
  if (!token) return {};
  const basic = Buffer.from(`x-access-token:${token}`, "utf8").toString("base64");
  return {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: `http.${gitUrl.replace(/\/+$/, "")}/.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}
