import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AppDeps } from "../functions/api/context";
import type { AppLogger } from "../functions/api/logger";
import { LinkTokens } from "../shared/adapters/auth/link-tokens";
import { CognitoSignIn } from "../shared/adapters/auth/staff-sign-in";
import { CognitoTokenVerifier } from "../shared/adapters/auth/staff-tokens";
import { DynamoBookingStore } from "../shared/adapters/dynamodb/booking-store";
import { createDocumentClient } from "../shared/adapters/dynamodb/clients";
import type { Clock } from "../shared/ports";
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
  const deps: AppDeps = {
    bookings: {
      store,
      clock: w.clock ?? { now: () => new Date() },
      newId: newBookingId,
      locationId: w.locationId,
    },
    tokens: new LinkTokens(w.linkSecret),
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
