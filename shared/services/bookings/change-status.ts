import type { Booking } from "../../domain/booking";
import type { Catalog } from "../../domain/catalog";
import {
  aftercareFollowUps,
  cancelPending,
  type FollowUp,
  pendingRebookRefs,
  quotesSessions,
} from "../../domain/follow-ups";
import type { Action, Actor } from "../../domain/lifecycle";
import type { PatientRecord } from "../../ports";
import { withFreshReads } from "../retry";
import { treatmentOf } from "./decide";
import type { BookingDeps, IdempotencyIntent } from "./deps";
import { loadForChange, loadPatient, withSession, writeChange } from "./records";

export async function changeStatus(
  deps: Omit<BookingDeps, "newId" | "notices">,
  input: { bookingId: string; action: Exclude<Action, "reschedule">; actor: Actor },
  idempotency?: IdempotencyIntent,
): Promise<Booking> {
  const { clock, locationId } = deps;
  const catalog = await deps.catalogs.catalog(locationId);
  const { policy } = catalog.clinic;
  return withFreshReads(async () => {
    const now = clock.now();
    const { previous, existing, status } = await loadForChange(deps, input, now, policy);
    const record = await loadPatient(deps, previous);
    const booking: Booking = {
      ...previous,
      status,
      // A cancelled session frees the practitioner's time at once.
      locks: status === "cancelled" ? [] : previous.locks,
      updatedAt: now.toISOString(),
      version: previous.version + 1,
    };
    const patient: PatientRecord = {
      ...record,
      sessions:
        status === "cancelled"
          ? record.sessions.filter((s) => s.bookingId !== previous.id)
          : withSession(record.sessions, {
              bookingId: previous.id,
              date: previous.date,
              family: previous.family,
              status,
            }),
      version: record.version + 1,
    };
    // Every pending message of the booking stops; a completed session starts its aftercare.
    const cancelledFollowUps = cancelPending(existing, now, {
      reason: `The booking was marked ${status}.`,
    });
    const aftercare =
      status === "completed" ? await aftercareFor(deps, booking, record, catalog, now) : [];
    // The rebooking emails carry the patient's sessions, refreshed with each patient write.
    const followUps = aftercare.map((f) =>
      quotesSessions(f) ? { ...f, patientSessions: patient.sessions } : f,
    );
    patient.rebookFollowUps = [
      ...pendingRebookRefs(record.rebookFollowUps, now),
      ...followUps
        .filter(quotesSessions)
        .map((f) => ({ bookingId: f.bookingId, step: f.step, dueAt: f.dueAt })),
    ];
    return writeChange(
      deps,
      {
        booking,
        previous,
        patient,
        followUps,
        cancelledFollowUps,
        expectedPatientVersion: record.version === 0 ? null : record.version,
      },
      idempotency,
      policy.timezone,
    );
  });
}

/** The aftercare timeline under the current plan, if the patient wants it. */
async function aftercareFor(
  deps: Pick<BookingDeps, "plans" | "locationId">,
  booking: Booking,
  patient: PatientRecord,
  catalog: Catalog,
  now: Date,
): Promise<FollowUp[]> {
  const treatment = treatmentOf(catalog, booking.treatmentId);
  if (
    !treatment.aftercare ||
    !booking.consent.aftercareEmails ||
    patient.aftercareOptOut ||
    patient.suppressed
  ) {
    return [];
  }
  const plan = await deps.plans.currentPlan(deps.locationId);
  if (!plan) return [];
  return aftercareFollowUps(
    { ...booking, treatmentName: treatment.name },
    plan,
    catalog.clinic.policy,
    now,
  );
}
