import {
  cancelPending,
  type EmailStop,
  type FollowUp,
  pendingRebookRefs,
  stoppedBy,
} from "../domain/follow-ups";
import { StaleReadError } from "../ports";
import { type BookingDeps, normaliseEmail, patientIdFor } from "./bookings";

const MAX_ATTEMPTS = 4;

/**
 * Stops a patient's emails: an unsubscribe stops the aftercare timeline; a bounce
 * or complaint (suppression) stops every email. The patient's record and every
 * pending follow-up it stops change in one transaction, then their schedules go.
 * Returns false when the location has no such patient.
 */
export async function stopEmails(
  deps: BookingDeps,
  input: { patientId: string; stop: EmailStop; reason: string; email?: string },
): Promise<boolean> {
  const { store, locationId, clock } = deps;
  for (let attempt = 1; ; attempt++) {
    const now = clock.now();
    const existing = await store.patient(locationId, input.patientId);
    // An address that bounced before it ever booked here is remembered all the same,
    // so a later booking sends it nothing.
    if (!existing && input.stop !== "suppressed") return false;
    const record = existing ?? {
      id: input.patientId,
      locationId,
      name: "",
      email: input.email ?? "",
      sessions: [],
      version: 0,
    };
    const already = input.stop === "unsubscribed" ? record.aftercareOptOut : record.suppressed;
    if (already) return true;

    const bookingIds = [...new Set(record.sessions.map((s) => s.bookingId))];
    const found = await Promise.all(
      bookingIds.map((id) => store.bookingWithFollowUps(locationId, id)),
    );
    const cancelled: FollowUp[] = found.flatMap((b) =>
      b
        ? cancelPending(b.followUps, now, {
            only: (f) => stoppedBy(input.stop, f),
            reason: input.reason,
          })
        : [],
    );
    try {
      await store.writePatient({
        patient: {
          ...record,
          ...(input.stop === "unsubscribed"
            ? { aftercareOptOut: true }
            : { suppressed: { reason: input.reason, at: now.toISOString() } }),
          rebookFollowUps: pendingRebookRefs(record.rebookFollowUps, now),
          version: record.version + 1,
        },
        expectedPatientVersion: existing ? record.version : null,
        cancelledFollowUps: cancelled,
      });
    } catch (error) {
      if (error instanceof StaleReadError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
    if (deps.scheduler) {
      const { scheduler } = deps;
      await Promise.all(
        cancelled.map((f) =>
          scheduler
            .unschedule(f)
            .catch(() => deps.log?.warn("schedule not removed", { followUpId: f.id })),
        ),
      );
    }
    return true;
  }
}

/** A bounce or complaint: the address is suppressed everywhere, and its patient's emails stop. */
export async function suppressAddress(
  deps: BookingDeps,
  input: { email: string; reason: string; locationIds: string[] },
) {
  await deps.store.suppress(input.email, input.reason, deps.clock.now());
  for (const locationId of input.locationIds) {
    await stopEmails(
      { ...deps, locationId },
      {
        patientId: patientIdFor(locationId, input.email),
        stop: "suppressed",
        reason: input.reason,
        email: normaliseEmail(input.email),
      },
    );
  }
}
