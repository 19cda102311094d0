import type { Booking, BookingOverride } from "../../domain/booking";
import { DomainError } from "../../domain/errors";
import { type FollowUp, isEmail } from "../../domain/follow-ups";
import type { PatientSession } from "../../domain/spacing";
import type { AuditEntry, IdempotencyRecord, PatientRecord } from "../../ports";
import { type BookingDeps, type IdempotencyIntent, normaliseEmail } from "./deps";

/** What a booking change reads before deciding, and the rows it writes besides the booking. */

/**
 * After a write commits: create or replace the schedule of each scheduled follow-up
 * and remove those of the ones that no longer go out. A failure here leaves the
 * follow-up `scheduled` in the table, where the due index still finds it.
 */
export async function syncSchedules(
  deps: Pick<BookingDeps, "scheduler" | "log">,
  change: { created?: FollowUp[]; cancelled?: FollowUp[] },
  timezone: string,
) {
  const { scheduler } = deps;
  if (!scheduler) return;
  const jobs = [
    ...(change.created ?? [])
      .filter((f) => f.status === "scheduled")
      .map((f) => ({ f, run: () => scheduler.schedule(f, timezone) })),
    ...(change.cancelled ?? []).map((f) => ({ f, run: () => scheduler.unschedule(f) })),
  ];
  await Promise.all(
    jobs.map(({ f, run }) =>
      run().catch((error: unknown) =>
        deps.log?.warn("schedule not synced", {
          followUpId: f.id,
          errorName: error instanceof Error ? error.name : "unknown",
        }),
      ),
    ),
  );
}

/** A suppressed address gets no email: its follow-ups are written as skipped, with why. */
export function withoutEmailsFor(patient: PatientRecord | null, followUps: FollowUp[]): FollowUp[] {
  if (!patient?.suppressed) return followUps;
  const why = `Not sent: the address is suppressed (${patient.suppressed.reason}).`;
  return followUps.map((f) => (isEmail(f) ? { ...f, status: "skipped" as const, error: why } : f));
}

export function withSession(sessions: PatientSession[], s: PatientSession): PatientSession[] {
  return [...sessions.filter((x) => x.bookingId !== s.bookingId), s].sort((a, b) =>
    a.date < b.date ? -1 : a.date > b.date ? 1 : 0,
  );
}

export function idempotencyRecord(
  intent: IdempotencyIntent | undefined,
  booking: Booking,
): IdempotencyRecord | undefined {
  return intent
    ? { key: intent.key, requestHash: intent.requestHash, response: intent.respond(booking) }
    : undefined;
}

/** The audit entry of a spacing override, written in the booking's transaction. */
export function overrideAudit(
  deps: Pick<BookingDeps, "newId" | "locationId">,
  override: BookingOverride,
  bookingId: string,
  bookedDate: string,
): AuditEntry {
  return {
    id: deps.newId(),
    locationId: deps.locationId,
    at: override.at,
    actor: override.actor,
    action: "spacing-override",
    bookingId,
    reason: override.reason,
    details: {
      conflictBookingId: override.conflict.bookingId,
      conflictDate: override.conflict.date,
      earliestAllowedDate: override.earliestAllowedDate,
      bookedDate,
    },
  };
}

/** The audit entry of a booking past the cap, unless the spacing override's entry carries it. */
export function capAudit(
  deps: Pick<BookingDeps, "newId" | "locationId">,
  exceeded: { actor: string; reason: string; held: number; max: number },
  at: string,
  bookingId: string,
  bookedDate: string,
): AuditEntry {
  return {
    id: deps.newId(),
    locationId: deps.locationId,
    at,
    actor: exceeded.actor,
    action: "booking-cap-override",
    bookingId,
    reason: exceeded.reason,
    details: capDetails(exceeded, bookedDate),
  };
}

export const capDetails = (exceeded: { held: number; max: number }, bookedDate: string) => ({
  upcomingSessions: String(exceeded.held),
  maxFutureBookings: String(exceeded.max),
  bookedDate,
});

type Reading = Pick<BookingDeps, "reads" | "locationId">;

async function loadBooking(deps: Reading, bookingId: string): Promise<Booking> {
  const booking = await deps.reads.booking(deps.locationId, bookingId);
  if (!booking) throw new DomainError("NOT_FOUND", "Booking not found.");
  return booking;
}

export async function loadBookingWithFollowUps(deps: Reading, bookingId: string) {
  const found = await deps.reads.bookingWithFollowUps(deps.locationId, bookingId);
  if (!found) throw new DomainError("NOT_FOUND", "Booking not found.");
  return found;
}

export async function loadPatient(deps: Reading, booking: Booking): Promise<PatientRecord> {
  const record = await deps.reads.patient(deps.locationId, booking.patientId);
  return (
    record ?? {
      id: booking.patientId,
      locationId: deps.locationId,
      name: booking.patient.name,
      email: normaliseEmail(booking.patient.email),
      sessions: [],
      version: 0,
    }
  );
}

export async function getBooking(deps: Reading, bookingId: string): Promise<Booking> {
  return loadBooking(deps, bookingId);
}
