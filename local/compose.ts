import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESClient } from "@aws-sdk/client-ses";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AppDeps } from "../functions/api/context";
import type { AppLogger } from "../functions/api/logger";
import type { RateLimitOptions } from "../functions/api/rate-limit";
import { LinkTokens } from "../shared/adapters/auth/link-tokens";
import { CognitoSignIn } from "../shared/adapters/auth/staff-sign-in";
import { CognitoTokenVerifier } from "../shared/adapters/auth/staff-tokens";
import { DynamoBookingStore } from "../shared/adapters/dynamodb/booking-store";
import { createDocumentClient } from "../shared/adapters/dynamodb/clients";
import { SesMailer } from "../shared/adapters/mail/ses-mailer";
import { SesRawMailer } from "../shared/adapters/mail/ses-raw-mailer";
import type { Clock, RawMailer } from "../shared/ports";
import type { FollowUpDeps } from "../shared/services/follow-ups";
import { EmailSpacingNotices } from "../shared/services/spacing-notices";
import { localCognitoClient, type StaffPool } from "./services/cognito-local";
import { localDynamoDbClientConfig } from "./services/dynamodb-local";

/** The composition root of the local runtime: the app's deps over the local services. */
export interface LocalWiring {
  dynamoEndpoint: string;
  tableName: string;
  locationId: string;
  cognitoEndpoint: string;
  pool: StaffPool;
  linkSecret: string;
  publicBaseUrl: string;
  logger: AppLogger;
  /** Without it, nothing is emailed (benchmarks of the booking path). */
  sesEndpoint?: string;
  mailFrom?: string;
  clock?: Clock;
  catalogTtlMs?: number;
  /** Replaces the SES sender of follow-ups (fault-injection tests). */
  rawMailer?: RawMailer;
  /** Per-client limit on public writes; absent, none (tests, benchmarks). */
  rateLimit?: RateLimitOptions;
}

export const newBookingId = () => randomUUID().replaceAll("-", "");
export const DEMO_MAIL_FROM = "Face of Jules <hello@faceofjules.test>";

export function localSesClient(endpoint: string, options: { maxAttempts?: number } = {}) {
  return new SESClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    ...options,
  });
}

/** Store, booking use cases and the follow-up sender: all but the HTTP app. */
export function composeCore(w: Omit<LocalWiring, "cognitoEndpoint" | "pool">) {
  const dynamo = createDocumentClient(localDynamoDbClientConfig(w.dynamoEndpoint));
  const store = new DynamoBookingStore(dynamo.doc, w.tableName, {
    ...(w.catalogTtlMs !== undefined ? { catalogTtlMs: w.catalogTtlMs } : {}),
  });
  const clock = w.clock ?? { now: () => new Date() };
  const tokens = new LinkTokens(w.linkSecret);
  const mailFrom = w.mailFrom ?? DEMO_MAIL_FROM;
  const mailer = w.sesEndpoint && new SesMailer(localSesClient(w.sesEndpoint), mailFrom);
  const bookings: AppDeps["bookings"] = {
    store,
    clock,
    newId: newBookingId,
    locationId: w.locationId,
    log: w.logger,
    // Locally there is no Scheduler: the runner polls the due index instead.
    ...(mailer
      ? {
          notices: new EmailSpacingNotices({
            store,
            mailer,
            tokens,
            clock,
            publicBaseUrl: w.publicBaseUrl,
            logger: w.logger,
          }),
        }
      : {}),
  };
  const rawMailer =
    w.rawMailer ??
    new SesRawMailer(localSesClient(w.sesEndpoint ?? "http://127.0.0.1:9", { maxAttempts: 1 }));
  const followUps: FollowUpDeps = {
    bookings,
    followUps: store,
    mailer: rawMailer,
    tokens,
    publicBaseUrl: w.publicBaseUrl,
    mailFrom,
    log: w.logger,
  };
  return { bookings, followUps, store, tokens, dynamo };
}

export function composeLocal(w: LocalWiring): {
  deps: AppDeps;
  followUps: FollowUpDeps;
  store: DynamoBookingStore;
  dynamo: { client: DynamoDBClient; doc: DynamoDBDocumentClient };
} {
  const core = composeCore(w);
  const deps: AppDeps = {
    bookings: core.bookings,
    tokens: core.tokens,
    staffTokens: new CognitoTokenVerifier({
      issuer: w.pool.issuer,
      jwksUri: w.pool.jwksUri,
      clientId: w.pool.clientId,
    }),
    staffSignIn: new CognitoSignIn(localCognitoClient(w.cognitoEndpoint), w.pool.clientId),
    publicBaseUrl: w.publicBaseUrl,
    logger: w.logger,
    ...(w.rateLimit ? { rateLimit: w.rateLimit } : {}),
  };
  return { deps, followUps: core.followUps, store: core.store, dynamo: core.dynamo };
}
