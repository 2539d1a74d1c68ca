// E2B on loopback for tests and benches: the control-plane stand-in and the envd stand-in on
// ports of their own, reached by the real SDK through apiUrl and sandboxUrl (E2B_API_URL,
// E2B_SANDBOX_URL). Any number can run at once. For the SDK's debug mode (fixed port 49983)
// use startDebugEnvd instead.
import { ControlPlaneStandIn, type ControlPlaneOptions } from "./control-plane.ts";
import { EnvdStandIn, listen } from "./envd-daemon.ts";

export interface FakeE2B {
  apiKey: string;
  apiUrl: string;
  sandboxUrl: string;
  api: ControlPlaneStandIn;
  envd: EnvdStandIn;
  close(): Promise<void>;
}

export async function startFakeE2B(options: Partial<ControlPlaneOptions> = {}): Promise<FakeE2B> {
  const apiKey = options.apiKey ?? "e2b_stand_in_key";
  const envd = await EnvdStandIn.create();
  const api = new ControlPlaneStandIn(envd, { ...options, apiKey });
  const envdServer = await listen(envd.handle);
  const apiServer = await listen(api.handle);
  return {
    apiKey,
    apiUrl: apiServer.url,
    sandboxUrl: envdServer.url,
    api,
    envd,
    async close() {
      await api.close();
      await apiServer.close();
      await envdServer.close();
      await envd.close();
    },
  };
}

const DEBUG_ENVD_PORT = 49983;

/**
 * The envd stand-in on localhost:49983, where the SDK sends sandbox traffic when debug is on
 * (E2B_DEBUG=true). Debug mode skips the control plane, so every sandbox id (the SDK uses
 * "debug_sandbox_id") gets a sandbox on first use. Waits while another test holds the port.
 */
export async function startDebugEnvd(options: { waitForPortMs?: number } = {}): Promise<{ envd: EnvdStandIn; close(): Promise<void> }> {
  const envd = await EnvdStandIn.create({ autoCreate: true });
  const server = await listen(envd.handle, { port: DEBUG_ENVD_PORT, waitForPortMs: options.waitForPortMs ?? 60_000 });
  return {
    envd,
    async close() {
      await server.close();
      await envd.close();
    },
  };
}
