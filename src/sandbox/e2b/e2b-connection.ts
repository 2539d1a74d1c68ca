// Where the e2b SDK sends its requests. Unset fields fall back to the SDK's own variables
// (E2B_API_KEY, E2B_DOMAIN, E2B_API_URL, E2B_SANDBOX_URL, E2B_DEBUG), so those keep working.
import { ConnectionConfig, type ConnectionOpts } from "e2b";

export interface E2BConnectionOptions {
  apiKey?: string;
  domain?: string;
  /** Control-plane API base URL (self-hosted E2B, or a stand-in in tests). */
  apiUrl?: string;
  /** URL of every sandbox's daemon (self-hosted E2B, or a stand-in in tests). */
  sandboxUrl?: string;
  /** SDK debug mode: sandbox traffic to http://localhost:49983, no control plane. */
  debug?: boolean;
  requestTimeoutMs?: number;
}

/** The options as the SDK takes them, without undefined fields (which would mask its env fallbacks). */
export function sdkConnection(options: E2BConnectionOptions): ConnectionOpts {
  const out: ConnectionOpts = {};
  if (options.apiKey) out.apiKey = options.apiKey;
  if (options.domain) out.domain = options.domain;
  if (options.apiUrl) out.apiUrl = options.apiUrl;
  if (options.sandboxUrl) out.sandboxUrl = options.sandboxUrl;
  if (options.debug !== undefined) out.debug = options.debug;
  if (options.requestTimeoutMs !== undefined) out.requestTimeoutMs = options.requestTimeoutMs;
  return out;
}

/** Debug mode as the SDK resolves it (option, else E2B_DEBUG). */
export function isDebugMode(options: E2BConnectionOptions): boolean {
  return new ConnectionConfig(sdkConnection(options)).debug;
}
