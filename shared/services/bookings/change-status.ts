import { decideTimeline, supersedePending } from "../../domain/aftercare-timeline";
import type { Booking } from "../../domain/booking";
import type { Catalog } from "../../domain/catalog";
import {
  aftercareFollowUps,
  type CancelledBy,
  cancellationFollowUp,
  cancelPending,
  confirmationWentOut,
  type FollowUp,
  type PlanTrigger,
  pendingRebookRefs,
  quotesSessions,
} from "../../domain/follow-ups";
import type { Action, Actor } from "../../domain/lifecycle";
import type { PatientRecord } from "../../ports";
import { withFreshReads } from "../retry";
import { treatmentOf } from "./decide";
import type { BookingDeps, IdempotencyIntent } from "./deps";
import { loadForChange, loadPatient, withoutEmailsFor, withSession, writeChange } from "./records";

export async function changeStatus(
  deps: Omit<BookingDeps, "newId" | "notices">,
  input: {
    bookingId: string;
    action: Exclude<Action, "reschedule">;
    actor: Actor;
    /** Staff cancelling say whether the patient asked (default: the clinic cancels). */
    cancelledBy?: CancelledBy;
  },
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
    const { aftercare, superseded } =
      status === "completed"
        ? await completedTimeline(deps, booking, record, catalog, now)
        : status === "no-show"
          ? {
              aftercare: await planFor(deps, booking, record, catalog, now, "no-show"),
              superseded: [],
            }
          : { aftercare: [], superseded: [] };
    // The rebooking emails carry the patient's sessions, refreshed with each patient write.
    const followUps = [
      ...aftercare.map((f) =>
        quotesSessions(f) ? { ...f, patientSessions: patient.sessions } : f,
      ),
      ...(status === "cancelled"
        ? cancellationNotice(booking, existing, record, catalog, input, now)
        : []),
    ];
    const stopped = new Set(superseded.map((f) => f.id));
    patient.rebookFollowUps = [
      ...pendingRebookRefs(record.rebookFollowUps, now).filter(
        (r) => !stopped.has(`${r.bookingId}-${r.step}`),
      ),
      ...followUps
        .filter((f) => quotesSessions(f) && f.status === "scheduled")
        .map((f) => ({ bookingId: f.bookingId, step: f.step, dueAt: f.dueAt })),
    ];
    return writeChange(
      deps,
      {
        booking,
        previous,
        patient,
        followUps,
        cancelledFollowUps: [...cancelledFollowUps, ...superseded],
        expectedPatientVersion: record.version === 0 ? null : record.version,
      },
      idempotency,
      policy.timezone,
    );
  });
}

/**
 * A completed session's timeline, and the rest of the earlier one it supersedes (read
 * beside the plan: one more Query, only when an earlier session of the family was
 * completed). At most one plan's steps each way (the plan holds at most 30), so the
 * completion's transaction stays far below DynamoDB's 100 items.
 */
async function completedTimeline(
  deps: Pick<BookingDeps, "plans" | "locationId" | "reads">,
  booking: Booking,
  patient: PatientRecord,
  catalog: Catalog,
  now: Date,
): Promise<{ aftercare: FollowUp[]; superseded: FollowUp[] }> {
  const { supersededBy, earlier } = decideTimeline(patient.sessions, {
    bookingId: booking.id,
    date: booking.date,
    family: booking.family,
  });
  const [aftercare, earlierTimeline] = await Promise.all([
    planFor(deps, booking, patient, catalog, now, "completed"),
    earlier ? deps.reads.bookingWithFollowUps(deps.locationId, earlier.bookingId) : null,
  ]);
  const by = { bookingId: booking.id, date: booking.date };
  return {
    // Completed after a later session already was: its timeline never runs.
    aftercare: supersededBy ? supersedePending(aftercare, supersededBy, now) : aftercare,
    superseded: earlierTimeline ? supersedePending(earlierTimeline.followUps, by, now) : [],
  };
}

/**
 * The cancellation email, at once, when the patient had heard of the booking (a
 * confirmation went out): its `.ics` takes the event out of their calendar.
 */
function cancellationNotice(
  booking: Booking,
  existing: FollowUp[],
  patient: PatientRecord,
  catalog: Catalog,
  input: { actor: Actor; cancelledBy?: CancelledBy },
  now: Date,
): FollowUp[] {
  if (!confirmationWentOut(existing)) return [];
  const by: CancelledBy =
    input.actor.kind === "patient" ? "patient" : (input.cancelledBy ?? "clinic");
  const treatmentName = treatmentOf(catalog, booking.treatmentId).name;
  return withoutEmailsFor(patient, [cancellationFollowUp({ ...booking, treatmentName }, by, now)]);
}

/** The plan's steps for the session's outcome under the current plan, if the patient wants them. */
async function planFor(
  deps: Pick<BookingDeps, "plans" | "locationId">,
  booking: Booking,
  patient: PatientRecord,
  catalog: Catalog,
  now: Date,
  trigger: PlanTrigger,
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
    trigger,
  );
}
