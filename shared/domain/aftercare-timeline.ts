import { type FollowUp, PENDING } from "./follow-ups";
import type { PatientSession } from "./spacing";

/**
 * One aftercare timeline at a time per patient and treatment family: the plan of
 * a newer session contradicts what an older one says for the same days (a week
 * without retinoids against "Weeks 3 to 4: retinoids, slowly"), so a newer
 * completed session supersedes what is left of every earlier one's timeline.
 */

type Session = Pick<PatientSession, "bookingId" | "date" | "family">;

const booked = (s: PatientSession) => s.status === "confirmed" || s.status === "completed";

export interface TimelineDecision {
  /** A later session of the family is completed already: this timeline starts superseded by it. */
  supersededBy: PatientSession | null;
  /**
   * The earlier completed session whose timeline may still be running: its pending steps
   * stop. Only the latest one: each completion superseded the ones before it, so no
   * older timeline is still running.
   */
  earlier: PatientSession | null;
}

/**
 * Which timeline runs when `session` is completed: its own, stopping the latest earlier
 * completed session's; or none of its own when a later session of the family was
 * completed first (a late outcome). A same-day session counts as earlier.
 */
export function decideTimeline(
  sessions: readonly PatientSession[],
  session: Session,
): TimelineDecision {
  const completed = sessions
    .filter(
      (s) =>
        s.family === session.family &&
        s.bookingId !== session.bookingId &&
        s.status === "completed",
    )
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const later = completed.filter((s) => s.date > session.date);
  return {
    supersededBy: later.at(-1) ?? null,
    earlier: later.length > 0 ? null : (completed.at(-1) ?? null),
  };
}

/** The pending aftercare steps of a timeline, stopped for the newer session `by`. */
export function supersedePending(
  followUps: readonly FollowUp[],
  by: Pick<PatientSession, "bookingId" | "date">,
  now: Date,
): FollowUp[] {
  return followUps
    .filter((f) => f.kind === "aftercare" && PENDING.includes(f.status))
    .map((f) => ({
      ...f,
      status: "superseded" as const,
      supersededBy: { bookingId: by.bookingId, date: by.date },
      updatedAt: now.toISOString(),
    }));
}

/**
 * The rebooking emails (when you can book, the last reminder) go only for the patient's
 * latest session of the family: not once a later session is booked or done. Decided at
 * send time from the sessions the follow-up carries, so it holds in whatever order
 * bookings, moves and outcomes happen. Returns the later session, if any.
 */
export function laterSessionBooked(
  sessions: readonly PatientSession[],
  session: Pick<PatientSession, "bookingId" | "date"> & { family?: string },
): PatientSession | undefined {
  const family = session.family ?? sessions.find((s) => s.bookingId === session.bookingId)?.family;
  return sessions.find(
    (s) =>
      s.bookingId !== session.bookingId &&
      (family === undefined || s.family === family) &&
      s.date > session.date &&
      booked(s),
  );
}
