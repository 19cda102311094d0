import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESClient } from "@aws-sdk/client-ses";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AppDeps } from "../functions/api/context";
import type { AppLogger } from "../functions/api/logger";
import type { RateLimitOptions } from "../functions/api/rate-limit";
import { type TableStores, wireApp, wireCore, wireFollowUps } from "../functions/wiring";
import { createDocumentClient } from "../shared/adapters/dynamodb/clients";
import type { Clock, RawMailer } from "../shared/ports";
import type { FollowUpDeps } from "../shared/services/follow-ups";
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

export const DEMO_MAIL_FROM = "Face of Jules <hello@faceofjules.test>";

export function localSesClient(endpoint: string, options: { maxAttempts?: number } = {}) {
  return new SESClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    ...options,
  });
}

/** Stores, booking use cases and the follow-up sender: all but the HTTP app. */
export function composeCore(w: Omit<LocalWiring, "cognitoEndpoint" | "pool">) {
  const dynamo = createDocumentClient(localDynamoDbClientConfig(w.dynamoEndpoint));
  const mailFrom = w.mailFrom ?? DEMO_MAIL_FROM;
  const core = wireCore({
    doc: dynamo.doc,
    tableName: w.tableName,
    ...(w.catalogTtlMs !== undefined ? { catalogTtlMs: w.catalogTtlMs } : {}),
    locationId: w.locationId,
    clock: w.clock ?? { now: () => new Date() },
    log: w.logger,
    // Locally there is no Scheduler: the runner polls the due index instead.
    linkSecret: w.linkSecret,
    publicBaseUrl: w.publicBaseUrl,
    ...(w.sesEndpoint ? { notices: { ses: localSesClient(w.sesEndpoint), mailFrom } } : {}),
  });
  const followUps = wireFollowUps(core, {
    ses: localSesClient(w.sesEndpoint ?? "http://127.0.0.1:9", { maxAttempts: 1 }),
    mailFrom,
    ...(w.rawMailer ? { rawMailer: w.rawMailer } : {}),
  });
  return { ...core, followUps, dynamo };
}

export function composeLocal(w: LocalWiring): {
  deps: AppDeps;
  followUps: FollowUpDeps;
  stores: TableStores;
  dynamo: { client: DynamoDBClient; doc: DynamoDBDocumentClient };
} {
  const core = composeCore(w);
  const deps = wireApp(core, {
    staff: {
      cognito: localCognitoClient(w.cognitoEndpoint),
      issuer: w.pool.issuer,
      jwksUri: w.pool.jwksUri,
      clientId: w.pool.clientId,
    },
    logger: w.logger,
    ...(w.rateLimit ? { rateLimit: w.rateLimit } : {}),
  });
  return { deps, followUps: core.followUps, stores: core.stores, dynamo: core.dynamo };
}
