// aws-ses-v2-local: accepts SES v1/v2 SendEmail, keeps emails in memory, shows them in a web viewer.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { assertPortFree } from "./ports";
import { type RunningService, superviseChild } from "./running-service";

/** Web inbox for humans. */
export const sesViewerUrl = (endpoint: string): string => `${endpoint}/`;
/** JSON `{ templates: {...}, emails: Email[] }`; `?since=<epoch seconds>` filters on `email.at`. */
export const sesStoreUrl = (endpoint: string): string => `${endpoint}/store`;
/** POST empties the store (handy between tests). */
export const sesClearStoreUrl = (endpoint: string): string => `${endpoint}/clear-store`;
export const SES_VIEWER_URL_PATTERN = "http://127.0.0.1:<port>/";

export type SesLocalOptions = { port: number; portEnvVar?: string };

function sesCliPath(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve("aws-ses-v2-local/package.json");
  const pkg = require(pkgPath) as { bin: Record<string, string> };
  const bin = pkg.bin["aws-ses-v2-local"];
  if (!bin) throw new Error("aws-ses-v2-local has no `aws-ses-v2-local` bin entry");
  return join(dirname(pkgPath), bin);
}

export async function startSesLocal(options: SesLocalOptions): Promise<RunningService> {
  const { port, portEnvVar = "SES_PORT" } = options;
  await assertPortFree(port, "SES local", portEnvVar);
  // Without --host it listens on [::] (all interfaces); keep it on loopback.
  const child = spawn(
    process.execPath,
    [sesCliPath(), "--host", "127.0.0.1", "--port", String(port)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  return superviseChild({
    name: "SES local",
    endpoint,
    child,
    timeoutMs: 45_000,
    ready: async () => (await fetch(`${endpoint}/health-check`)).ok,
  });
}
