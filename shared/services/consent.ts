import {
  cancelPending,
  type EmailStop,
  type FollowUp,
  pendingRebookRefs,
  stoppedBy,
} from "../domain/follow-ups";
import { type BookingDeps, normaliseEmail, patientIdFor } from "./bookings";
import { withFreshReads } from "./retry";

type ConsentDeps = Pick<
  BookingDeps,
  "reads" | "writes" | "clock" | "locationId" | "scheduler" | "log"
>;

/**
 * Stops a patient's emails: an unsubscribe stops the aftercare timeline; a bounce
 * or complaint (suppression) stops every email. The patient's record and every
 * pending follow-up it stops change in one transaction, then their schedules go.
 * Returns false when the location has no such patient.
 */
export async function stopEmails(
  deps: ConsentDeps,
  input: { patientId: string; stop: EmailStop; reason: string; email?: string },
): Promise<boolean> {
  const { reads, locationId, clock } = deps;
  const cancelled = await withFreshReads(async (): Promise<FollowUp[] | null> => {
    const now = clock.now();
    const existing = await reads.patient(locationId, input.patientId);
    // An address that bounced before it ever booked here is remembered all the same,
    // so a later booking sends it nothing.
    if (!existing && input.stop !== "suppressed") return null;
    const record = existing ?? {
      id: input.patientId,
      locationId,
      name: "",
      email: input.email ?? "",
      sessions: [],
      version: 0,
    };
    const already = input.stop === "unsubscribed" ? record.aftercareOptOut : record.suppressed;
    if (already) return [];

    const bookingIds = [...new Set(record.sessions.map((s) => s.bookingId))];
    const found = await Promise.all(
      bookingIds.map((id) => reads.bookingWithFollowUps(locationId, id)),
    );
    const cancelled: FollowUp[] = found.flatMap((b) =>
      b
        ? cancelPending(b.followUps, now, {
            only: (f) => stoppedBy(input.stop, f),
            reason: input.reason,
          })
        : [],
    );
    await deps.writes.writePatient({
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
    return cancelled;
  });
  if (cancelled === null) return false;
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

/**
 * A bounce or complaint: the address is suppressed in its patient record at these
 * locations (every booking reads it there) and its pending emails stop. Elsewhere
 * the account's SES suppression list, fed through the configuration set, refuses the
 * address, and SES reports that refusal as a permanent bounce of that location.
 */
export async function suppressAddress(
  deps: ConsentDeps,
  input: { email: string; reason: string; locationIds: string[] },
) {
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
