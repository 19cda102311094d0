import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SESClient } from "@aws-sdk/client-ses";
import { z } from "zod";
import { createDocumentClient } from "../../shared/adapters/dynamodb/clients";
import { createLogger } from "../../shared/adapters/log/powertools-logger";
import { schedulerTargetFrom } from "../../shared/adapters/scheduler/eventbridge-scheduler";
import { readLinkSecret } from "../../shared/adapters/secrets/link-secret";
import { readFollowUpsConfig } from "../../shared/config";
import { sweepOverdueFollowUps } from "../../shared/services/follow-up-repair";
import { type FollowUpDeps, runFollowUp } from "../../shared/services/follow-ups";
import { wireCore, wireFollowUps } from "../wiring";

const LocationId = z.string().regex(/^[a-z0-9-]{1,64}$/);

/** The EventBridge Scheduler target: sends one follow-up (input: {locationId, bookingId, step}). */
const Event = z.strictObject({
  locationId: LocationId,
  bookingId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  step: z.string().regex(/^[a-z0-9-]{1,40}$/),
});

/**
 * The recurring repair schedule's input: send the follow-ups of these locations whose
 * own schedule never fired (see shared/services/follow-up-repair.ts).
 */
export const SweepEvent = z.strictObject({
  sweep: z.literal(true),
  locationIds: z.array(LocationId).min(1).max(50),
});

/** Time left for a sweep to finish the follow-up it is on before the function times out. */
const SWEEP_MARGIN_MS = 8_000;

async function build(): Promise<FollowUpDeps> {
  const config = readFollowUpsConfig(process.env);
  const logger = createLogger("clinic-followups", config.LOG_LEVEL);
  const linkSecret = await readLinkSecret(config);
  const core = wireCore({
    doc: createDocumentClient({}).doc,
    tableName: config.TABLE_NAME,
    locationId: "unused: every event names its location",
    clock: { now: () => new Date() },
    log: logger,
    // An automatic completion schedules the aftercare, so this function schedules too.
    scheduler: { client: new SchedulerClient({}), target: schedulerTargetFrom(config) },
    linkSecret,
    publicBaseUrl: config.PUBLIC_BASE_URL,
  });
  return wireFollowUps(core, {
    // No SDK retries: the sender decides, so a send that timed out is never repeated.
    ses: new SESClient({
      maxAttempts: 1,
      // Without throwOnRequestTimeout the SDK only warns; a hung send must end.
      requestHandler: {
        connectionTimeout: 3_000,
        requestTimeout: 10_000,
        throwOnRequestTimeout: true,
      },
    }),
    mailFrom: config.MAIL_FROM,
    configurationSet: config.SES_CONFIGURATION_SET,
  });
}

let ready: Promise<FollowUpDeps> | undefined;

export const handler = async (
  event: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
) => {
  ready ??= build().catch((error) => {
    ready = undefined;
    throw error;
  });
  const deps = await ready;
  const sweep = SweepEvent.safeParse(event);
  if (sweep.success) {
    const left = context?.getRemainingTimeInMillis?.();
    const deadline = left === undefined ? undefined : Date.now() + left - SWEEP_MARGIN_MS;
    const results = [];
    for (const locationId of sweep.data.locationIds) {
      const result = await sweepOverdueFollowUps(deps, locationId, {
        ...(deadline !== undefined ? { deadline } : {}),
      });
      deps.log.info("follow-up sweep", { locationId, ...result });
      results.push({ locationId, ...result });
    }
    return { sweep: results };
  }
  const parsed = Event.safeParse(event);
  // A malformed event is not retried: it would never parse.
  if (!parsed.success) {
    deps.log.warn("malformed follow-up event", { issues: parsed.error.issues.length });
    return { outcome: "malformed" };
  }
  return { outcome: await runFollowUp(deps, parsed.data) };
};
