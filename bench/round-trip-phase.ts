import { addDays, localDateOf } from "../shared/domain/calendar";
import { type BenchContext, bookThroughHttp, readTrips, resetTrips } from "./context";
import { type AvailabilityBody, UnexpectedResponse } from "./http";
import { type CallTrips, type RoundTrips, type Summary, summarize, summarizeTrips } from "./stats";

export interface CallMeasure {
  /** Successful calls only. */
  latency: Summary;
  roundTrips: RoundTrips;
  /** Calls the app refused or failed: "<status> <code>" → count (timed and counted apart). */
  failures?: Record<string, number>;
  failedRoundTrips?: RoundTrips;
}

const HOUR = 3_600_000;

/** Public bookings that send an Idempotency-Key (what a retrying client would do). */
export async function measureIdempotentBookings(
  ctx: BenchContext,
  n: number,
): Promise<CallMeasure> {
  ctx.log(`bookings with Idempotency-Key: ${n}`);
  const ms: number[] = [];
  const trips: CallTrips[] = [];
  for (let i = 0; i < n; i++) {
    const r = await bookThroughHttp(ctx, { idempotencyKey: `bench-${ctx.runTag}-${i}` });
    ms.push(r.ms);
    trips.push(r.roundTrips);
  }
  return { latency: summarize(ms), roundTrips: summarizeTrips(trips) };
}

/**
 * Public reschedules (POST /api/bookings/:id/reschedule with the manage token from
 * the booking's manageUrl) of bookings well past the change cut-off, each to a new slot.
 */
export async function measureReschedules(ctx: BenchContext, n: number): Promise<CallMeasure> {
  ctx.log(`reschedules: ${n}`);
  const cutoff =
    ctx.now.getTime() + (ctx.target.catalog.clinic.policy.changeCutoffHours + 2) * HOUR;
  const movable = ctx.created.filter((b) => Date.parse(b.start) > cutoff);
  if (movable.length < n) throw new Error(`Only ${movable.length} bookings can be rescheduled`);
  const ms: number[] = [];
  const trips: CallTrips[] = [];
  const failures: Record<string, number> = {};
  const failedTrips: CallTrips[] = [];
  for (const b of movable.slice(0, n)) {
    const slot = ctx.planner.take();
    resetTrips(ctx);
    const res = await ctx.client.post(
      `/api/bookings/${b.id}/reschedule?token=${encodeURIComponent(b.token)}`,
      { start: slot.start, practitionerId: slot.practitionerId },
    );
    if (res.status !== 200) {
      // A refused reschedule is a finding to report, not a reason to stop the bench.
      const code = (res.body as { error?: { code?: string } }).error?.code ?? "?";
      const key = `${res.status} ${code}`;
      failures[key] = (failures[key] ?? 0) + 1;
      failedTrips.push(readTrips(ctx));
      continue;
    }
    trips.push(readTrips(ctx));
    ms.push(res.ms);
    b.start = slot.start;
    b.practitionerId = slot.practitionerId;
  }
  if (failedTrips.length) ctx.log(`  reschedules refused: ${JSON.stringify(failures)}`);
  return {
    latency: summarize(ms),
    roundTrips: summarizeTrips(trips),
    ...(failedTrips.length ? { failures, failedRoundTrips: summarizeTrips(failedTrips) } : {}),
  };
}

export interface AvailabilityMeasure extends CallMeasure {
  from: string;
  to: string;
  days: number;
  practitioners: number;
  slotsReturned: number;
}

/** GET /api/availability for 31 days, after one call that fills the catalog cache. */
export async function measureAvailability(
  ctx: BenchContext,
  n: number,
): Promise<AvailabilityMeasure> {
  const tz = ctx.target.catalog.clinic.policy.timezone;
  const from = addDays(localDateOf(ctx.now, tz), 1);
  const to = addDays(from, 30);
  const path = `/api/availability?treatmentId=${ctx.treatment.id}&from=${from}&to=${to}`;
  ctx.log(`availability (${from} to ${to}): ${n}`);
  const warm = await ctx.client.get<AvailabilityBody>(path);
  if (warm.status !== 200) throw new UnexpectedResponse("availability", warm.status, warm.body);
  const ms: number[] = [];
  const trips: CallTrips[] = [];
  let slotsReturned = 0;
  for (let i = 0; i < n; i++) {
    resetTrips(ctx);
    const res = await ctx.client.get<AvailabilityBody>(path);
    trips.push(readTrips(ctx));
    if (res.status !== 200) throw new UnexpectedResponse("availability", res.status, res.body);
    ms.push(res.ms);
    slotsReturned = res.body.slots.length;
  }
  return {
    from,
    to,
    days: 31,
    practitioners: ctx.target.catalog.practitioners.filter((p) =>
      p.treatmentIds.includes(ctx.treatment.id),
    ).length,
    slotsReturned,
    latency: summarize(ms),
    roundTrips: summarizeTrips(trips),
  };
}
