import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESClient } from "@aws-sdk/client-ses";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AppDeps } from "../functions/api/context";
import type { AppLogger } from "../functions/api/logger";
import { LinkTokens } from "../shared/adapters/auth/link-tokens";
import { CognitoSignIn } from "../shared/adapters/auth/staff-sign-in";
import { CognitoTokenVerifier } from "../shared/adapters/auth/staff-tokens";
import { DynamoBookingStore } from "../shared/adapters/dynamodb/booking-store";
import { createDocumentClient } from "../shared/adapters/dynamodb/clients";
import { SesMailer } from "../shared/adapters/mail/ses-mailer";
import type { Clock } from "../shared/ports";
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
  /** Without it, refused patients are not emailed (benchmarks). */
  sesEndpoint?: string;
  mailFrom?: string;
  clock?: Clock;
  catalogTtlMs?: number;
}

export const newBookingId = () => randomUUID().replaceAll("-", "");

export function composeLocal(w: LocalWiring): {
  deps: AppDeps;
  dynamo: { client: DynamoDBClient; doc: DynamoDBDocumentClient };
} {
  const dynamo = createDocumentClient(localDynamoDbClientConfig(w.dynamoEndpoint));
  const store = new DynamoBookingStore(dynamo.doc, w.tableName, {
    ...(w.catalogTtlMs !== undefined ? { catalogTtlMs: w.catalogTtlMs } : {}),
  });
  const clock = w.clock ?? { now: () => new Date() };
  const tokens = new LinkTokens(w.linkSecret);
  const mailer =
    w.sesEndpoint &&
    new SesMailer(
      new SESClient({
        endpoint: w.sesEndpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      }),
      w.mailFrom ?? "Face of Jules <hello@faceofjules.test>",
    );
  const deps: AppDeps = {
    bookings: {
      store,
      clock,
      newId: newBookingId,
      locationId: w.locationId,
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
    },
    tokens,
    staffTokens: new CognitoTokenVerifier({
      issuer: w.pool.issuer,
      jwksUri: w.pool.jwksUri,
      clientId: w.pool.clientId,
    }),
    staffSignIn: new CognitoSignIn(localCognitoClient(w.cognitoEndpoint), w.pool.clientId),
    publicBaseUrl: w.publicBaseUrl,
    logger: w.logger,
  };
  return { deps, dynamo };
}
