import { randomBytes } from "node:crypto";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { SESClient } from "@aws-sdk/client-ses";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { LinkTokens } from "../shared/adapters/auth/link-tokens";
import { CognitoSignIn } from "../shared/adapters/auth/staff-sign-in";
import { CognitoTokenVerifier } from "../shared/adapters/auth/staff-tokens";
import { DynamoBookingReads } from "../shared/adapters/dynamodb/booking-reads";
import { DynamoBookingWrites } from "../shared/adapters/dynamodb/booking-writes";
import {
  type DynamoCatalogOptions,
  DynamoCatalogSource,
} from "../shared/adapters/dynamodb/catalog-store";
import { DynamoFollowUpStore } from "../shared/adapters/dynamodb/follow-up-store";
import { DynamoOnceMarkers } from "../shared/adapters/dynamodb/once-markers";
import { DynamoPlanStore } from "../shared/adapters/dynamodb/plan-store";
import { SesMailer } from "../shared/adapters/mail/ses-mailer";
import { SesRawMailer } from "../shared/adapters/mail/ses-raw-mailer";
import {
  EventBridgeFollowUpScheduler,
  type SchedulerTarget,
} from "../shared/adapters/scheduler/eventbridge-scheduler";
import { referenceFrom } from "../shared/domain/booking-reference";
import type { Clock, RawMailer } from "../shared/ports";
import type { BookingDeps } from "../shared/services/bookings";
import type { FollowUpDeps } from "../shared/services/follow-ups";
import { EmailSpacingNotices } from "../shared/services/spacing-notices";
import type { AppDeps } from "./api/context";
import type { AppLogger } from "./api/logger";
import type { RateLimitOptions } from "./api/rate-limit";

/**
 * The one place the runtimes are assembled: from clients an entry point built and
 * values it read from its config, this builds the adapters, the use cases' deps and
 * the app's. It reads no environment and builds no SDK client.
 */

type Log = Pick<AppLogger, "info" | "warn">;

/** New ids (bookings, audit entries): references a patient can read out (60 random bits). */
export const newId = () => referenceFrom(randomBytes(8));

/** The stores over the one table: one object each, sharing the document client. */
export function tableStores(
  doc: DynamoDBDocumentClient,
  tableName: string,
  options: DynamoCatalogOptions = {},
) {
  return {
    catalogs: new DynamoCatalogSource(doc, tableName, options),
    reads: new DynamoBookingReads(doc, tableName),
    writes: new DynamoBookingWrites(doc, tableName),
    plans: new DynamoPlanStore(doc, tableName),
    followUps: new DynamoFollowUpStore(doc, tableName),
    once: new DynamoOnceMarkers(doc, tableName),
  };
}

export type TableStores = ReturnType<typeof tableStores>;

export interface BookingsWiring {
  doc: DynamoDBDocumentClient;
  tableName: string;
  catalogTtlMs?: number;
  /** The location served; the functions that serve every location take it from each event. */
  locationId: string;
  clock: Clock;
  log: Log;
}

/** The stores and the booking use cases' deps, without schedules or mail (SES events). */
export function wireBookings(w: BookingsWiring): { stores: TableStores; bookings: BookingDeps } {
  const stores = tableStores(w.doc, w.tableName, {
    ...(w.catalogTtlMs !== undefined ? { catalogTtlMs: w.catalogTtlMs } : {}),
  });
  const bookings: BookingDeps = {
    catalogs: stores.catalogs,
    reads: stores.reads,
    writes: stores.writes,
    plans: stores.plans,
    clock: w.clock,
    newId,
    locationId: w.locationId,
    log: w.log,
  };
  return { stores, bookings };
}

export interface CoreWiring extends BookingsWiring {
  /** Absent locally, where the follow-ups runner polls the due index instead. */
  scheduler?: { client: SchedulerClient; target: SchedulerTarget };
  linkSecret: string;
  /** Where patients' links point, e.g. https://book.faceofjules.com */
  publicBaseUrl: string;
  /** With it, a patient whose online booking the spacing rule refused is emailed why. */
  notices?: { ses: SESClient; mailFrom: string; configurationSet?: string };
}

/** The booking deps with their schedules and notices, the link tokens, and the stores. */
export function wireCore(w: CoreWiring) {
  const { stores, bookings } = wireBookings(w);
  const tokens = new LinkTokens(w.linkSecret);
  if (w.scheduler) {
    const { client, target } = w.scheduler;
    bookings.scheduler = new EventBridgeFollowUpScheduler(client, target, w.clock);
  }
  if (w.notices) {
    const { ses, mailFrom, configurationSet } = w.notices;
    bookings.notices = new EmailSpacingNotices({
      catalogs: stores.catalogs,
      once: stores.once,
      mailer: new SesMailer(ses, mailFrom, configurationSet),
      tokens,
      clock: w.clock,
      publicBaseUrl: w.publicBaseUrl,
      logger: w.log,
    });
  }
  return { stores, bookings, tokens, publicBaseUrl: w.publicBaseUrl, log: w.log };
}

export type Core = ReturnType<typeof wireCore>;

/** The follow-up sender: the Scheduler's target, the repair sweep and the local runner. */
export function wireFollowUps(
  core: Core,
  mail: {
    ses: SESClient;
    mailFrom: string;
    configurationSet?: string;
    /** Replaces the SES sender (fault-injection tests). */
    rawMailer?: RawMailer;
  },
): FollowUpDeps {
  return {
    bookings: core.bookings,
    followUps: core.stores.followUps,
    mailer: mail.rawMailer ?? new SesRawMailer(mail.ses, mail.configurationSet),
    tokens: core.tokens,
    publicBaseUrl: core.publicBaseUrl,
    mailFrom: mail.mailFrom,
    log: core.log,
  };
}

/** The HTTP app's deps: the core, and the staff's sign-in and token checks. */
export function wireApp(
  core: Core,
  w: {
    staff: {
      cognito: CognitoIdentityProviderClient;
      issuer: string;
      jwksUri: string;
      clientId: string;
    };
    logger: AppLogger;
    /** Per-client limit on public writes; absent, none (AWS, where API Gateway throttles). */
    rateLimit?: RateLimitOptions;
  },
): AppDeps {
  const { staff } = w;
  return {
    bookings: core.bookings,
    tokens: core.tokens,
    staffTokens: new CognitoTokenVerifier({
      issuer: staff.issuer,
      jwksUri: staff.jwksUri,
      clientId: staff.clientId,
    }),
    staffSignIn: new CognitoSignIn(staff.cognito, staff.clientId),
    publicBaseUrl: core.publicBaseUrl,
    logger: w.logger,
    ...(w.rateLimit ? { rateLimit: w.rateLimit } : {}),
  };
}
