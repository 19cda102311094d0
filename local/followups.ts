import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createLogger } from "../shared/adapters/log/powertools-logger";
import { composeCore } from "./compose";
import { DEMO_LOCATION_ID } from "./demo-clinic";
import { runDueFollowUps } from "./followups-runner";

/**
 * `npm run followups -- --as-of <instant>`: against the running local stack, runs
 * every follow-up due at or before the instant through the same handler as the
 * Scheduler target, each at its own due time, so a whole journey plays in order.
 * Local only: the deployed stack has no such command.
 */
function usage(message: string): never {
  console.error(`${message}\nUsage: npm run followups -- --as-of 2027-02-15T12:00:00-08:00`);
  process.exit(2);
}

const args = process.argv.slice(2);
const at = args.indexOf("--as-of");
const raw = at >= 0 ? args[at + 1] : undefined;
if (!raw) usage("Missing --as-of.");
const asOf = new Date(raw);
if (Number.isNaN(asOf.getTime()) || !/[zZ]|[+-]\d\d:?\d\d$/.test(raw)) {
  usage(`"${raw}" is not an instant with an offset.`);
}

const env = (name: string, fallback: string) => process.env[name] || fallback;
const dataDir = resolve(env("DATA_DIR", ".data"));
const secretFile = join(dataDir, "link-secret");
if (!process.env.LINK_SECRET && !existsSync(secretFile)) {
  usage(`No local stack data in ${dataDir}: run npm start first.`);
}

const core = composeCore({
  dynamoEndpoint: `http://127.0.0.1:${env("DYNAMODB_PORT", "8000")}`,
  sesEndpoint: `http://127.0.0.1:${env("SES_PORT", "8005")}`,
  tableName: env("TABLE_NAME", "clinic"),
  locationId: DEMO_LOCATION_ID,
  linkSecret: process.env.LINK_SECRET ?? readFileSync(secretFile, "utf8").trim(),
  publicBaseUrl: env("PUBLIC_BASE_URL", `http://localhost:${env("PORT", "3000")}`),
  logger: createLogger("clinic-followups", env("LOG_LEVEL", "WARN")),
});

try {
  const counts = await runDueFollowUps(core.followUps, core.stores.followUps, DEMO_LOCATION_ID, {
    asOf,
    simulate: true,
  });
  console.log(
    `Follow-ups due by ${asOf.toISOString()}: ${counts.sent} sent, ${counts.done} sessions completed, ` +
      `${counts.skipped} skipped, ${counts.failed} failed.`,
  );
} catch (error) {
  console.error(
    `Could not run follow-ups: ${error instanceof Error ? error.message : String(error)}`,
  );
  console.error("Is the local stack running (npm start)?");
  process.exit(1);
}
