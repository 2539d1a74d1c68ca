// Shared by the E2B adapter tests: a provider wired to the loopback stand-ins, and the host-side
// checks on the processes the envd stand-in ran.
import pino from "pino";
import { E2bSandboxProvider, type E2BProviderOptions } from "../../src/sandbox/e2b/e2b-provider.ts";
import type { FakeE2B } from "../doubles/e2b/fake-e2b.ts";

export { uniqueSleep, waitUntilGone } from "../helpers/host-processes.ts";

export const silentLogger = pino({ level: "silent" });

export function providerFor(fake: FakeE2B, options: Partial<E2BProviderOptions> = {}): E2bSandboxProvider {
  return new E2bSandboxProvider({
    apiKey: fake.apiKey,
    logger: silentLogger,
    retryDelayMs: 10,
    ...options,
    connection: { apiUrl: fake.apiUrl, sandboxUrl: fake.sandboxUrl, ...options.connection },
  });
}
