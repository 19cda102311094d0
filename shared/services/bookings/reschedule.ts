import { occupiedUntil, sessionEnd, slotLockInstants } from "../../domain/availability";
import type { Booking } from "../../domain/booking";
import { localDateOf } from "../../domain/calendar";
import {
  bookingFollowUps,
  cancelPending,
  confirmationWentOut,
  pendingRebookRefs,
} from "../../domain/follow-ups";
import type { Actor } from "../../domain/lifecycle";
import type { PatientRecord } from "../../ports";
import { withFreshReads } from "../retry";
import { candidatesFor, decideOrRefuse, firstFree, treatmentOf } from "./decide";
import type { BookingDeps, IdempotencyIntent } from "./deps";
import {
  loadForChange,
  loadPatient,
  overrideAudit,
  withoutEmailsFor,
  withSession,
  writeChange,
} from "./records";

export interface Reschedule {
  bookingId: string;
  start: Date;
  practitionerId?: string;
  actor: Actor;
  overrideReason?: string;
}

export async function rescheduleBooking(
  deps: Omit<BookingDeps, "plans">,
  input: Reschedule,
  idempotency?: IdempotencyIntent,
): Promise<Booking> {
  const { clock, locationId } = deps;
  const catalog = await deps.catalogs.catalog(locationId);
  const { policy } = catalog.clinic;
  return withFreshReads(async () => {
    const now = clock.now();
    const { previous, existing } = await loadForChange(
      deps,
      { ...input, action: "reschedule" },
      now,
      policy,
    );
    const treatment = treatmentOf(catalog, previous.treatmentId);
    const candidates = candidatesFor(catalog, treatment, input, now);
    const record = await loadPatient(deps, previous);
    const date = localDateOf(input.start, policy.timezone);
    const decision = await decideOrRefuse(deps, {
      actor: input.actor,
      overrideReason: input.overrideReason,
      sessions: record.sessions,
      date,
      treatment,
      excludeBookingId: previous.id,
      patientId: previous.patientId,
      patient: previous.patient,
      suppressed: Boolean(record.suppressed),
    });

    const at = now.toISOString();
    const blockedUntil = occupiedUntil(input.start, treatment);
    const override = decision.override ? { ...decision.override, at } : undefined;
    const patient: PatientRecord = {
      ...record,
      sessions: withSession(record.sessions, {
        bookingId: previous.id,
        date,
        family: treatment.family,
        status: "confirmed",
      }),
      rebookFollowUps: pendingRebookRefs(record.rebookFollowUps, now),
      version: record.version + 1,
    };
    // Prefer the practitioner the patient already had when they are free.
    const ordered = [
      ...candidates.filter((p) => p === previous.practitionerId),
      ...candidates.filter((p) => p !== previous.practitionerId),
    ];
    return firstFree(ordered, async (practitionerId) => {
      const { override: _dropped, ...rest } = previous;
      const booking: Booking = {
        ...rest,
        practitionerId,
        start: input.start.toISOString(),
        end: sessionEnd(input.start, treatment).toISOString(),
        blockedUntil: blockedUntil.toISOString(),
        date,
        ...(override ? { override } : previous.override ? { override: previous.override } : {}),
        locks: slotLockInstants(input.start, blockedUntil, policy.slotStepMinutes),
        updatedAt: at,
        version: previous.version + 1,
      };
      const followUps = withoutEmailsFor(
        record,
        // Moved before its confirmation went out: the patient hears "confirmed", once.
        bookingFollowUps({ ...booking, treatmentName: treatment.name }, policy, now, {
          moved: confirmationWentOut(existing),
        }),
      );
      const cancelledFollowUps = cancelPending(existing, now, { reason: "The booking was moved." });
      return writeChange(
        deps,
        {
          booking,
          previous,
          patient,
          followUps,
          cancelledFollowUps,
          expectedPatientVersion: record.version === 0 ? null : record.version,
          ...(override ? { audit: overrideAudit(deps, override, booking.id, date) } : {}),
        },
        idempotency,
        policy.timezone,
      );
    });
  });
}
