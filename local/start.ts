import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { serve } from "@hono/node-server";
import { createApp } from "../functions/api/app";
import { rateLimitFromEnv } from "../functions/api/rate-limit";
import { writeCatalog } from "../shared/adapters/dynamodb/catalog-writer";
import { ensureTable } from "../shared/adapters/dynamodb/ensure-table";
import { createLogger } from "../shared/adapters/log/powertools-logger";
import { loadDefaultPlanSteps } from "../shared/aftercare/plan-schema";
import { addDays, instantAt, localDateOf, toLocalIso } from "../shared/domain/calendar";
import { seedPlan } from "../shared/services/aftercare-plans";
import { composeLocal } from "./compose";
import { DEMO_LOCATION_ID, DEMO_STAFF, demoClinic } from "./demo-clinic";
import { startFollowUpPoller } from "./followups-runner";
import { seedStaffPool, startCognitoLocal } from "./services/cognito-local";
import { startDynamoDbLocal } from "./services/dynamodb-local";
import { assertJava17 } from "./services/java";
import { assertNodeVersion } from "./services/node-version";
import { assertPortFree } from "./services/ports";
import type { RunningService } from "./services/running-service";
import { sesViewerUrl, startSesLocal } from "./services/ses-local";

/**
 * `npm start`: the whole stack on one machine, no AWS account. DynamoDB Local
 * (data kept under DATA_DIR), cognito-local with the demo staff, aws-ses-v2-local,
 * the demo clinic, and the app on PORT.
 */
const env = (name: string, fallback: string) => process.env[name] || fallback;
const port = (name: string, fallback: number) => {
  const value = Number(env(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a port number, got "${process.env[name]}"`);
  }
  return value;
};

const say = (message: string) => console.log(`• ${message}`);

async function main() {
  const started = Date.now();
  const cfg = {
    appPort: port("PORT", 3000),
    dynamoPort: port("DYNAMODB_PORT", 8000),
    cognitoPort: port("COGNITO_PORT", 9229),
    sesPort: port("SES_PORT", 8005),
    dataDir: resolve(env("DATA_DIR", ".data")),
    tableName: env("TABLE_NAME", "clinic"),
    publicBaseUrl: env("PUBLIC_BASE_URL", ""),
    pollMs: Number(env("FOLLOWUPS_POLL_MS", "5000")),
    // Test hooks: an SES stand-in already running (so its inbox outlives this process),
    // and a fixed instant the runner plays follow-ups up to, each at its own due time.
    sesEndpoint: process.env.SES_ENDPOINT || undefined,
    followUpsAsOf: asOf(process.env.FOLLOWUPS_AS_OF),
    // Public writes per client IP per minute (API Gateway throttles in AWS); 0 turns it off.
    rateLimit: rateLimitFromEnv(process.env.RATE_LIMIT_PER_MINUTE),
  };
  const baseUrl = cfg.publicBaseUrl || `http://localhost:${cfg.appPort}`;
  // Emails carry one-click unsubscribe links, which must be https (RFC 8058) except
  // on this machine: refuse at start rather than fail every email later.
  if (!/^(https:\/\/[^/\s]+|http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?)\/?$/.test(baseUrl)) {
    console.error(
      `PUBLIC_BASE_URL must be an https:// origin, or http://localhost[:port]; got "${baseUrl}".`,
    );
    process.exit(1);
  }
  const services: RunningService[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say("Stopping…");
    await Promise.allSettled(services.map((s) => s.stop()));
    process.exit(code);
  };
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));

  try {
    say(`Node ${assertNodeVersion()}. Checking Java (DynamoDB Local needs 17 or newer)…`);
    const java = await assertJava17();
    say(`Java ${java} found. Checking ports…`);
    await assertPortFree(cfg.appPort, "the app", "PORT");
    await assertPortFree(cfg.dynamoPort, "DynamoDB Local", "DYNAMODB_PORT");
    await assertPortFree(cfg.cognitoPort, "cognito-local", "COGNITO_PORT");
    if (!cfg.sesEndpoint) await assertPortFree(cfg.sesPort, "aws-ses-v2-local", "SES_PORT");
    mkdirSync(cfg.dataDir, { recursive: true });

    say("Starting DynamoDB Local, cognito-local and aws-ses-v2-local…");
    const track = (s: RunningService) => {
      services.push(s);
      return s;
    };
    const [dynamo, cognito, ses] = await Promise.all([
      startDynamoDbLocal({ port: cfg.dynamoPort, dataDir: join(cfg.dataDir, "dynamodb") }).then(
        track,
      ),
      startCognitoLocal({ port: cfg.cognitoPort, dataDir: join(cfg.dataDir, "cognito") }).then(
        track,
      ),
      cfg.sesEndpoint
        ? { name: "SES (given)", endpoint: cfg.sesEndpoint, stop: async () => {} }
        : startSesLocal({ port: cfg.sesPort }).then(track),
    ]);

    say("Seeding the staff user pool…");
    const pool = await seedStaffPool(cognito.endpoint, {
      poolName: "clinic-staff",
      clientName: "clinic-console",
      users: DEMO_STAFF,
    });

    const {
      deps,
      followUps,
      stores,
      dynamo: db,
    } = composeLocal({
      dynamoEndpoint: dynamo.endpoint,
      tableName: cfg.tableName,
      locationId: DEMO_LOCATION_ID,
      cognitoEndpoint: cognito.endpoint,
      sesEndpoint: ses.endpoint,
      pool,
      linkSecret: linkSecret(cfg.dataDir),
      publicBaseUrl: baseUrl,
      logger: createLogger("clinic-api", env("LOG_LEVEL", "WARN")),
      ...(cfg.rateLimit ? { rateLimit: cfg.rateLimit } : {}),
    });
    const table = await ensureTable(db.client, cfg.tableName);
    say(
      `Table "${cfg.tableName}" ${table === "created" ? "created" : "found (data kept from last time)"}. Seeding Face of Jules…`,
    );
    const catalog = await writeCatalog(db.doc, cfg.tableName, demoClinic);
    if (catalog.removed.length) say(`Removed from the catalog: ${catalog.removed.join(", ")}.`);
    const plan = await seedPlan(deps.bookings, loadDefaultPlanSteps());
    say(
      `Aftercare plan ${plan === "seeded" ? "seeded from shared/aftercare/default-plan.json" : "kept"}.`,
    );
    const poller = startFollowUpPoller(
      followUps,
      stores.followUps,
      DEMO_LOCATION_ID,
      cfg.pollMs,
      (error) =>
        console.error(
          `Follow-up runner: ${error instanceof Error ? error.message : String(error)}`,
        ),
      cfg.followUpsAsOf ? { asOf: cfg.followUpsAsOf } : {},
    );

    const server = serve({
      fetch: createApp(deps).fetch,
      port: cfg.appPort,
      hostname: "127.0.0.1",
    });
    services.unshift({
      name: "app",
      endpoint: baseUrl,
      stop: async () => {
        poller.stop();
        await new Promise<void>((r) => server.close(() => r()));
      },
    });

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`
Ready in ${seconds} s. Press Ctrl-C to stop everything.

  App             ${baseUrl}
  API reference   ${baseUrl}/docs   (OpenAPI: ${baseUrl}/openapi.json)
  Emails sent     ${sesViewerUrl(ses.endpoint)}
  DynamoDB Local  ${dynamo.endpoint}   table "${cfg.tableName}", data in ${join(cfg.dataDir, "dynamodb")}
  cognito-local   ${cognito.endpoint}   pool ${pool.userPoolId}

Staff accounts (POST ${baseUrl}/api/staff/session):
${DEMO_STAFF.map((u) => `  ${u.group.padEnd(13)} ${u.email}  password: ${u.password}`).join("\n")}

Follow-ups due are sent every ${cfg.pollMs / 1000} s. To play a journey forward:
  npm run followups -- --as-of ${tenWeeksAhead(demoClinic.clinic.policy.timezone)}

Try:
  curl '${baseUrl}/api/treatments'
  curl '${baseUrl}/api/availability?treatmentId=microneedling-face&from=<YYYY-MM-DD>&to=<YYYY-MM-DD>'
`);
  } catch (error) {
    console.error(
      `\n✗ Could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    await stopAll(1);
  }
}

function asOf(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new Error(`FOLLOWUPS_AS_OF must be an instant, got "${value}"`);
  return at;
}

/** Signed links must survive restarts, so the local secret is kept with the data. */
function linkSecret(dataDir: string): string {
  if (process.env.LINK_SECRET) return process.env.LINK_SECRET;
  const file = join(dataDir, "link-secret");
  if (!existsSync(file))
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

void main();

/** Noon ten weeks from today in the clinic's zone: far enough to play a whole aftercare journey. */
function tenWeeksAhead(zone: string): string {
  return toLocalIso(instantAt(addDays(localDateOf(new Date(), zone), 70), "12:00", zone), zone);
}
