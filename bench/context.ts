import type { Treatment } from "../shared/domain/catalog";
import { BENCH_TREATMENT_ID } from "./catalog";
import { BenchClient, type BookingBody, UnexpectedResponse } from "./http";
import { type PlannedSlot, SlotPlanner } from "./slots";
import type { BenchApp } from "./stack";
import type { CallTrips } from "./stats";

/** What a phase works on: one app instance, its HTTP client, its free slots and booking count. */
export interface BenchContext {
  target: BenchApp;
  client: BenchClient;
  planner: SlotPlanner;
  treatment: Treatment;
  now: Date;
  runTag: string;
  /** Bookings in the table (through the app, raw floor writes and bulk loads). */
  bookingsInTable: number;
  /** Bookings made through the app, for reschedules. */
  created: CreatedBooking[];
  nextPatient: number;
  /** Raw-floor bookings so far: each gets its own session time, hence fresh lock keys. */
  rawIndex: number;
  log(message: string): void;
}

export interface CreatedBooking {
  id: string;
  start: string;
  practitionerId: string;
  token: string;
}

export function benchTreatment(app: BenchApp): Treatment {
  const t = app.catalog.treatments.find((x) => x.id === BENCH_TREATMENT_ID);
  if (!t) throw new Error(`The bench catalog has no ${BENCH_TREATMENT_ID}`);
  return t;
}

/** A context for one app instance, with its free slots walked from its availability. */
export async function newContext(
  target: BenchApp,
  o: { now: Date; runTag: string; log: (m: string) => void },
): Promise<BenchContext> {
  const client = new BenchClient(target.baseUrl);
  const treatment = benchTreatment(target);
  const planner = await SlotPlanner.walk({
    client,
    catalog: target.catalog,
    treatment,
    now: o.now,
  });
  o.log(`slot walk: ${planner.total} non-overlapping free slots over the horizon`);
  return {
    target,
    client,
    planner,
    treatment,
    now: o.now,
    runTag: o.runTag,
    bookingsInTable: 0,
    created: [],
    nextPatient: 0,
    rawIndex: 0,
    log: o.log,
  };
}

/** A patient nobody has seen before (a new email, so a new patient record). */
export function newPatient(ctx: BenchContext, kind = "http") {
  const n = ctx.nextPatient++;
  return { name: `Bench Patient ${n}`, email: `${kind}-${ctx.runTag}-${n}@bench.example` };
}

export interface HttpBookingResult {
  ms: number;
  roundTrips: CallTrips;
  booking: CreatedBooking;
}

/** One public booking of a new patient in the next free slot, timed and counted. */
export async function bookThroughHttp(
  ctx: BenchContext,
  o: { idempotencyKey?: string; slot?: PlannedSlot } = {},
): Promise<HttpBookingResult> {
  const slot = o.slot ?? ctx.planner.take();
  const body = {
    treatmentId: ctx.treatment.id,
    start: slot.start,
    practitionerId: slot.practitionerId,
    patient: newPatient(ctx),
    consent: { aftercareEmails: true },
  };
  const headers: Record<string, string> = o.idempotencyKey
    ? { "Idempotency-Key": o.idempotencyKey }
    : {};
  resetTrips(ctx);
  const res = await ctx.client.post<BookingBody>("/api/bookings", body, headers);
  const roundTrips = readTrips(ctx);
  if (res.status !== 201) throw new UnexpectedResponse("POST /api/bookings", res.status, res.body);
  ctx.bookingsInTable++;
  const token = new URL(res.body.manageUrl).searchParams.get("token");
  if (!token) throw new Error(`No token in manageUrl ${res.body.manageUrl}`);
  const booking = {
    id: res.body.booking.id,
    start: res.body.booking.start,
    practitionerId: res.body.booking.practitionerId,
    token,
  };
  ctx.created.push(booking);
  return { ms: res.ms, roundTrips, booking };
}

/** Starts counting the app's DynamoDB round trips afresh. */
export function resetTrips(ctx: BenchContext): void {
  ctx.target.roundTrips.reset();
  ctx.target.labelled.reset();
}

/** The app's round trips since `resetTrips`, by operation and by purpose. */
export function readTrips(ctx: BenchContext): CallTrips {
  return {
    byOperation: ctx.target.roundTrips.snapshot(),
    byPurpose: ctx.target.labelled.snapshot(),
  };
}
