import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { inject } from "vitest";
import { createApp } from "../../functions/api/app";
import type { AppDeps } from "../../functions/api/context";
import type { AppLogger } from "../../functions/api/logger";
import { composeLocal } from "../../local/compose";
import { demoClinic } from "../../local/demo-clinic";
import { runDueFollowUps } from "../../local/followups-runner";
import { writeCatalog } from "../../shared/adapters/dynamodb/catalog-writer";
import { ensureTable } from "../../shared/adapters/dynamodb/ensure-table";
import { RoundTripCounter } from "../../shared/adapters/dynamodb/round-trips";
import { loadDefaultPlanSteps } from "../../shared/aftercare/plan-schema";
import type { Catalog } from "../../shared/domain/catalog";
import type { RawMailer } from "../../shared/ports";
import { seedPlan } from "../../shared/services/aftercare-plans";
import { type StaffKey, TEST_STAFF } from "./staff-users";

/** A clock the test moves by hand. */
export class TestClock {
  constructor(private current: Date) {}
  now = () => new Date(this.current);
  set(instant: string | Date) {
    this.current = new Date(instant);
  }
}

/** Every log line the app wrote, so tests can check what reached the log. */
export class CapturingLogger implements AppLogger {
  readonly lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  info = (message: string, fields: Record<string, unknown> = {}) =>
    void this.lines.push({ level: "info", message, fields });
  warn = (message: string, fields: Record<string, unknown> = {}) =>
    void this.lines.push({ level: "warn", message, fields });
  error = (message: string, fields: Record<string, unknown> = {}) =>
    void this.lines.push({ level: "error", message, fields });
}

export interface TestApp {
  baseUrl: string;
  deps: AppDeps;
  tableName: string;
  clock: TestClock;
  logger: CapturingLogger;
  roundTrips: RoundTripCounter;
  dynamo: ReturnType<typeof composeLocal>["dynamo"];
  followUps: ReturnType<typeof composeLocal>["followUps"];
  /** The stores over the test's table, as the app uses them. */
  stores: ReturnType<typeof composeLocal>["stores"];
  /** Plays every follow-up due by `asOf` at its own due time (the local Scheduler stand-in). */
  runFollowUps(asOf: string): Promise<Record<string, number>>;
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  staffToken(who: StaffKey): Promise<string>;
  /** The day's bookings as a receptionist sees them (GET /api/staff/schedule). */
  schedule(date: string): Promise<{ id: string; start: string; status: string }[]>;
  close(): Promise<void>;
}

/**
 * The real app over HTTP, on its own fresh table in the shared DynamoDB Local and
 * the test user pool; the clock starts at `now`.
 */
export async function startTestApp(
  options: { now?: string; catalog?: Catalog; rawMailer?: RawMailer } = {},
): Promise<TestApp> {
  const tableName = `t_${randomBytes(6).toString("hex")}`;
  const clock = new TestClock(new Date(options.now ?? "2026-11-30T18:00:00Z"));
  const logger = new CapturingLogger();
  const catalog = options.catalog ?? demoClinic;
  const { deps, dynamo, followUps, stores } = composeLocal({
    dynamoEndpoint: inject("dynamoEndpoint"),
    tableName,
    locationId: catalog.clinic.locationId,
    cognitoEndpoint: inject("cognitoEndpoint"),
    sesEndpoint: inject("sesEndpoint"),
    pool: inject("staffPool"),
    linkSecret: randomBytes(32).toString("hex"),
    publicBaseUrl: "https://clinic.test",
    logger,
    clock,
    ...(options.rawMailer ? { rawMailer: options.rawMailer } : {}),
  });
  await ensureTable(dynamo.client, tableName);
  await writeCatalog(dynamo.doc, tableName, catalog);
  await seedPlan(deps.bookings, loadDefaultPlanSteps());
  const roundTrips = new RoundTripCounter().attach(dynamo.client);

  const server = serve({ fetch: createApp(deps).fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokens = new Map<StaffKey, string>();

  const testApp: TestApp = {
    baseUrl,
    deps,
    tableName,
    clock,
    logger,
    roundTrips,
    dynamo,
    followUps,
    stores,
    runFollowUps: (asOf) =>
      runDueFollowUps(followUps, stores.followUps, catalog.clinic.locationId, {
        asOf: new Date(asOf),
        simulate: true,
      }),
    request(path, init = {}) {
      const { json, headers, ...rest } = init;
      return fetch(`${baseUrl}${path}`, {
        ...rest,
        headers: {
          ...(json !== undefined ? { "content-type": "application/json" } : {}),
          ...(headers as Record<string, string>),
        },
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    },
    async staffToken(who) {
      const cached = tokens.get(who);
      if (cached) return cached;
      const user = TEST_STAFF.find((u) => u.key === who);
      if (!user) throw new Error(`No test user ${who}`);
      const res = await fetch(`${baseUrl}/api/staff/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      if (res.status !== 200) throw new Error(`Sign-in failed for ${who}: ${res.status}`);
      const { token } = (await res.json()) as { token: string };
      tokens.set(who, token);
      return token;
    },
    async schedule(date) {
      const token = await testApp.staffToken("receptionist");
      const res = await testApp.request(`/api/staff/schedule?date=${date}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200) throw new Error(`Schedule of ${date}: ${res.status}`);
      return ((await res.json()) as { bookings: { id: string; start: string; status: string }[] })
        .bookings;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      dynamo.client.destroy();
    },
  };
  return testApp;
}

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

/** Emails aws-ses-v2-local holds for one address (tests share the server, not addresses). */
export async function emailsTo(address: string): Promise<StoredEmail[]> {
  const res = await fetch(`${inject("sesEndpoint")}/store`);
  const { emails } = (await res.json()) as { emails: StoredEmail[] };
  return emails.filter((e) =>
    e.destination.to.some((t) => t.toLowerCase().includes(address.toLowerCase())),
  );
}

/** A public booking body for the demo clinic. */
export function bookingBody(overrides: Record<string, unknown> = {}) {
  return {
    treatmentId: "microneedling-face",
    start: "2026-12-07T09:00:00-08:00",
    practitionerId: "jules",
    patient: { name: "Ana Ruiz", email: "ana@example.com" },
    consent: { aftercareEmails: true },
    ...overrides,
  };
}
