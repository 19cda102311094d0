import type { Booking, BookingOverride, BookingStatus } from "../../domain/booking";
import type { ClinicPolicy } from "../../domain/catalog";
import { DomainError } from "../../domain/errors";
import { type FollowUp, isEmail } from "../../domain/follow-ups";
import { type Action, type Actor, transition } from "../../domain/lifecycle";
import type { PatientSession } from "../../domain/spacing";
import type { AuditEntry, BookingWrite, IdempotencyRecord, PatientRecord } from "../../ports";
import { type BookingDeps, type IdempotencyIntent, normaliseEmail } from "./deps";

/** What a booking change reads before deciding, and the rows it writes besides the booking. */

/** Writes the change in its one transaction, then syncs its follow-ups' schedules. */
export async function writeChange(
  deps: Pick<BookingDeps, "writes" | "scheduler" | "log">,
  change: Omit<BookingWrite, "idempotency">,
  idempotency: IdempotencyIntent | undefined,
  timezone: string,
): Promise<Booking> {
  await deps.writes.write({
    ...change,
    ...(idempotency ? { idempotency: idempotencyRecord(idempotency, change.booking) } : {}),
  });
  await syncSchedules(
    deps,
    { created: change.followUps, cancelled: change.cancelledFollowUps },
    timezone,
  );
  return change.booking;
}

/**
 * After a write commits: create or replace the schedule of each scheduled follow-up
 * and remove those of the ones that no longer go out. A failure here leaves the
 * follow-up `scheduled` in the table, where the due index still finds it.
 */
async function syncSchedules(
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

function idempotencyRecord(
  intent: IdempotencyIntent | undefined,
  booking: Booking,
): IdempotencyRecord | undefined {
  return intent
    ? { key: intent.key, requestHash: intent.requestHash, response: intent.respond(booking) }
    : undefined;
}

/** The audit entry of a spacing override, written in the booking's transaction. */
export function overrideAudit(
  deps: Auditing,
  override: BookingOverride,
  bookingId: string,
  bookedDate: string,
): AuditEntry {
  return auditEntry(deps, "spacing-override", bookingId, override, override.at, {
    conflictBookingId: override.conflict.bookingId,
    conflictDate: override.conflict.date,
    earliestAllowedDate: override.earliestAllowedDate,
    bookedDate,
  });
}

/** The audit entry of a booking past the cap, unless the spacing override's entry carries it. */
export function capAudit(
  deps: Auditing,
  exceeded: { actor: string; reason: string; held: number; max: number },
  at: string,
  bookingId: string,
  bookedDate: string,
): AuditEntry {
  return auditEntry(
    deps,
    "booking-cap-override",
    bookingId,
    exceeded,
    at,
    capDetails(exceeded, bookedDate),
  );
}

type Auditing = Pick<BookingDeps, "newId" | "locationId">;

function auditEntry(
  deps: Auditing,
  action: AuditEntry["action"],
  bookingId: string,
  by: { actor: string; reason: string },
  at: string,
  details: Record<string, string>,
): AuditEntry {
  const { actor, reason } = by;
  return {
    id: deps.newId(),
    locationId: deps.locationId,
    at,
    actor,
    action,
    bookingId,
    reason,
    details,
  };
}

export const capDetails = (exceeded: { held: number; max: number }, bookedDate: string) => ({
  upcomingSessions: String(exceeded.held),
  maxFutureBookings: String(exceeded.max),
  bookedDate,
});

type Reading = Pick<BookingDeps, "reads" | "locationId">;

async function loadBookingWithFollowUps(deps: Reading, bookingId: string) {
  const found = await deps.reads.bookingWithFollowUps(deps.locationId, bookingId);
  if (!found) throw new DomainError("NOT_FOUND", "Booking not found.");
  return found;
}

/** The booking and its follow-ups, read fresh, and the status `action` now leads to. */
export async function loadForChange(
  deps: Reading,
  change: { bookingId: string; action: Action; actor: Actor },
  now: Date,
  policy: ClinicPolicy,
): Promise<{ previous: Booking; existing: FollowUp[]; status: BookingStatus }> {
  const { booking: previous, followUps: existing } = await loadBookingWithFollowUps(
    deps,
    change.bookingId,
  );
  const status = transition(previous, change.action, {
    actor: change.actor,
    now,
    changeCutoffHours: policy.changeCutoffHours,
  });
  return { previous, existing, status };
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
  const booking = await deps.reads.booking(deps.locationId, bookingId);
  if (!booking) throw new DomainError("NOT_FOUND", "Booking not found.");
  return booking;
}
