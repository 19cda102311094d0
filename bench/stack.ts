import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { serve } from "@hono/node-server";
import { createApp } from "../functions/api/app";
import type { AppDeps } from "../functions/api/context";
import { silentLogger } from "../functions/api/logger";
import { composeLocal } from "../local/compose";
import { seedStaffPool, startCognitoLocal } from "../local/services/cognito-local";
import {
  localDynamoDbClientConfig,
  startDynamoDbLocal,
} from "../local/services/dynamodb-local";
import { findFreePort } from "../local/services/ports";
import type { RunningService } from "../local/services/running-service";
import { writeCatalog } from "../shared/adapters/dynamodb/catalog-writer";
import { createDocumentClient } from "../shared/adapters/dynamodb/clients";
import { ensureTable } from "../shared/adapters/dynamodb/ensure-table";
import { RoundTripCounter } from "../shared/adapters/dynamodb/round-trips";
import type { Catalog } from "../shared/domain/catalog";

export interface BenchStack {
  baseUrl: string;
  deps: AppDeps;
  tableName: string;
  catalog: Catalog;
  /** The app's own DynamoDB client, with the counter attached. */
  app: { client: DynamoDBClient; doc: DynamoDBDocumentClient };
  /** A second client with the same settings, for direct (raw) calls the counter must not see. */
  raw: { client: DynamoDBClient; doc: DynamoDBDocumentClient };
  roundTrips: RoundTripCounter;
  dynamoEndpoint: string;
  stop(): Promise<void>;
}

const RECEPTIONIST = {
  email: "reception@bench.test",
  password: "Bench-Reception-2026!",
  group: "receptionist" as const,
};

/**
 * The real app on a free port over its own DynamoDB Local (in memory) and
 * cognito-local (temp dir), with the bench catalog written and a fixed clock.
 * `stop()` undoes everything that was started, also after a partial start.
 */
export async function startBenchStack(o: {
  catalog: Catalog;
  now: Date;
  log?: (message: string) => void;
}): Promise<BenchStack> {
  const log = o.log ?? (() => {});
  const services: RunningService[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  const cognitoDir = mkdtempSync(join(tmpdir(), "clinic-bench-cognito-"));

  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch(() => {});
    }
    await Promise.allSettled(services.splice(0).map((s) => s.stop()));
    rmSync(cognitoDir, { recursive: true, force: true });
  };

  try {
    log("starting DynamoDB Local (in memory) and cognito-local on free ports");
    const [dynamo, cognito] = await Promise.all([
      findFreePort().then((port) => startDynamoDbLocal({ port })),
      findFreePort().then((port) => startCognitoLocal({ port, dataDir: cognitoDir })),
    ]);
    services.push(dynamo, cognito);
    const pool = await seedStaffPool(cognito.endpoint, {
      poolName: "bench-staff",
      clientName: "bench-console",
      users: [RECEPTIONIST],
    });

    const tableName = `bench_${randomBytes(4).toString("hex")}`;
    const { deps, dynamo: app } = composeLocal({
      dynamoEndpoint: dynamo.endpoint,
      tableName,
      locationId: o.catalog.clinic.locationId,
      cognitoEndpoint: cognito.endpoint,
      pool,
      linkSecret: randomBytes(32).toString("hex"),
      publicBaseUrl: "http://clinic.bench",
      logger: silentLogger,
      clock: { now: () => new Date(o.now) },
    });
    cleanups.push(() => app.client.destroy());
    const raw = createDocumentClient(localDynamoDbClientConfig(dynamo.endpoint));
    cleanups.push(() => raw.client.destroy());

    log(`creating table ${tableName} and writing the catalog`);
    await ensureTable(app.client, tableName);
    await writeCatalog(app.doc, tableName, o.catalog);
    const roundTrips = new RoundTripCounter().attach(app.client);

    const server = serve({
      fetch: createApp(deps).fetch,
      port: 0,
      hostname: "127.0.0.1",
    }) as Server;
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections?.();
        }),
    );
    if (!server.listening) {
      await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    }
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    log(`app listening on ${baseUrl}`);

    return {
      baseUrl,
      deps,
      tableName,
      catalog: o.catalog,
      app,
      raw,
      roundTrips,
      dynamoEndpoint: dynamo.endpoint,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
