import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createApp } from "../functions/api/app";
import { composeLocal } from "./compose";
import { DEMO_LOCATION_ID } from "./demo-clinic";

/**
 * `npm run lint:openapi`: the OpenAPI document the app serves at /openapi.json, built
 * by the app itself (no services needed: nothing is called to build it), written to a
 * temporary file and checked by `redocly lint` with its recommended rules. Fails on
 * any error; `--keep <file>` also writes the document there.
 */
const silent = { info() {}, warn() {}, error() {} };
const unused = "http://127.0.0.1:9";
const { deps } = composeLocal({
  dynamoEndpoint: unused,
  tableName: "unused",
  locationId: DEMO_LOCATION_ID,
  cognitoEndpoint: unused,
  pool: {
    userPoolId: "local_unused",
    clientId: "unused",
    issuer: `${unused}/local_unused`,
    jwksUri: `${unused}/local_unused/.well-known/jwks.json`,
  },
  linkSecret: "0".repeat(64),
  // As a deployed clinic serves it (infra/settings.ts: https://booking.<mail domain>).
  publicBaseUrl: "https://booking.faceofjules.com",
  logger: silent,
});

const res = await createApp(deps).request("/openapi.json");
if (res.status !== 200) {
  console.error(`GET /openapi.json answered ${res.status}`);
  process.exit(1);
}
const document = await res.text();

const args = process.argv.slice(2);
const keep = args.indexOf("--keep");
if (keep >= 0 && args[keep + 1]) writeFileSync(resolve(args[keep + 1] as string), document);

const dir = mkdtempSync(join(tmpdir(), "clinic-openapi-"));
try {
  const file = join(dir, "openapi.json");
  writeFileSync(file, document);
  const root = resolve(import.meta.dirname, "..");
  const run = spawnSync(
    join(root, "node_modules/.bin/redocly"),
    ["lint", file, "--config", join(root, "redocly.yaml")],
    {
      stdio: "inherit",
      // No telemetry or update check: the lint needs no network.
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    },
  );
  if (run.error) throw run.error;
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
