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
import { type StaffPool, seedStaffPool, startCognitoLocal } from "../local/services/cognito-local";
import { localDynamoDbClientConfig, startDynamoDbLocal } from "../local/services/dynamodb-local";
import { findFreePort } from "../local/services/ports";
import type { RunningService } from "../local/services/running-service";
import { writeCatalog } from "../shared/adapters/dynamodb/catalog-writer";
import { createDocumentClient } from "../shared/adapters/dynamodb/clients";
import { ensureTable } from "../shared/adapters/dynamodb/ensure-table";
import { RoundTripCounter } from "../shared/adapters/dynamodb/round-trips";
import type { Catalog } from "../shared/domain/catalog";
import { RequestCpu } from "./cpu";
import { LabelledRoundTrips } from "./op-labels";

/** DynamoDB Local (in memory) and cognito-local with a seeded staff pool. */
export interface BenchServices {
  dynamoEndpoint: string;
  cognitoEndpoint: string;
  pool: StaffPool;
  stop(): Promise<void>;
}

/** One instance of the real app over its own table, served on a free port. */
export interface BenchApp {
  baseUrl: string;
  deps: AppDeps;
  tableName: string;
  catalog: Catalog;
  /** The app's own DynamoDB client, with the counter attached. */
  app: { client: DynamoDBClient; doc: DynamoDBDocumentClient };
  /** A second client with the same settings, for direct (raw) calls the counter must not see. */
  raw: { client: DynamoDBClient; doc: DynamoDBDocumentClient };
  roundTrips: RoundTripCounter;
  /** The same calls, with each Query labelled by what it reads. */
  labelled: LabelledRoundTrips;
  /** The app's CPU per request, while a label is set. */
  cpu: RequestCpu;
  close(): Promise<void>;
}

export const RECEPTIONIST = {
  email: "reception@bench.test",
  password: "Bench-Reception-2026!",
  group: "receptionist" as const,
};

/** Starts both services on free ports; on a partial start, stops what did start. */
export async function startServices(log: (m: string) => void): Promise<BenchServices> {
  const cognitoDir = mkdtempSync(join(tmpdir(), "clinic-bench-cognito-"));
  const started: RunningService[] = [];
  const stop = async () => {
    await Promise.allSettled(started.splice(0).map((s) => s.stop()));
    rmSync(cognitoDir, { recursive: true, force: true });
  };
  try {
    log("starting DynamoDB Local (in memory) and cognito-local on free ports");
    const [dynamo, cognito] = await Promise.allSettled([
      findFreePort().then((port) => startDynamoDbLocal({ port })),
      findFreePort().then((port) => startCognitoLocal({ port, dataDir: cognitoDir })),
    ]);
    for (const s of [dynamo, cognito]) if (s.status === "fulfilled") started.push(s.value);
    if (dynamo.status === "rejected") throw dynamo.reason;
    if (cognito.status === "rejected") throw cognito.reason;
    const pool = await seedStaffPool(cognito.value.endpoint, {
      poolName: "bench-staff",
      clientName: "bench-console",
      users: [RECEPTIONIST],
    });
    return {
      dynamoEndpoint: dynamo.value.endpoint,
      cognitoEndpoint: cognito.value.endpoint,
      pool,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The real app (`createApp(deps)` from the local composition root) over a new
 * table holding the catalog, with a fixed clock and a RoundTripCounter on its
 * DynamoDB client, served by `@hono/node-server` on port 0.
 */
export async function startApp(
  services: BenchServices,
  o: { catalog: Catalog; now: Date; log: (m: string) => void },
): Promise<BenchApp> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch(() => {});
    }
  };
  try {
    const tableName = `bench_${randomBytes(4).toString("hex")}`;
    const { deps, dynamo: app } = composeLocal({
      dynamoEndpoint: services.dynamoEndpoint,
      tableName,
      locationId: o.catalog.clinic.locationId,
      cognitoEndpoint: services.cognitoEndpoint,
      pool: services.pool,
      linkSecret: randomBytes(32).toString("hex"),
      publicBaseUrl: "http://clinic.bench",
      logger: silentLogger,
      clock: { now: () => new Date(o.now) },
    });
    cleanups.push(() => app.client.destroy());
    const raw = createDocumentClient(localDynamoDbClientConfig(services.dynamoEndpoint));
    cleanups.push(() => raw.client.destroy());

    o.log(`creating table ${tableName} and writing the catalog`);
    await ensureTable(app.client, tableName);
    await writeCatalog(app.doc, tableName, o.catalog);
    const roundTrips = new RoundTripCounter().attach(app.client);
    const labelled = new LabelledRoundTrips().attach(app.client);

    const handler = createApp(deps);
    const cpu = new RequestCpu();
    const server = serve({
      fetch: (request, env) => cpu.around(() => handler.fetch(request, env)),
      port: 0,
      hostname: "127.0.0.1",
    }) as Server;
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    if (!server.listening) {
      await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    }
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    o.log(`app on ${baseUrl} (table ${tableName})`);
    return {
      baseUrl,
      deps,
      tableName,
      catalog: o.catalog,
      app,
      raw,
      roundTrips,
      labelled,
      cpu,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
