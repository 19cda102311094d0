import { addDays, daysBetween, type LocalDate } from "./calendar";

/**
 * The spacing rule between sessions of one treatment family.
 *
 * Microneedling needs its collagen cycle to finish: the clinic's guide says 4 to 6
 * weeks between sessions, so two sessions of the family must be at least
 * `minIntervalDays` clinic-local calendar days apart, counted from the patient's
 * previous session and to their next booked one. Confirmed and completed sessions
 * count; cancelled and no-show sessions do not.
 */

export type SessionStatus = "confirmed" | "completed" | "no-show" | "cancelled";

export interface PatientSession {
  bookingId: string;
  /** Clinic-local date of the session. */
  date: LocalDate;
  family: string;
  status: SessionStatus;
}

export interface SpacingRule {
  family: string;
  minIntervalDays: number;
  /** The guide's recommended upper end (42 days for microneedling); advisory. */
  recommendedMaxDays?: number;
}

export interface SpacingConflict {
  bookingId: string;
  date: LocalDate;
}

export type SpacingResult =
  | { ok: true }
  | {
      ok: false;
      /** The nearest session that is too close (the earlier one on a tie). */
      conflict: SpacingConflict;
      /** The first date on or after the requested one that satisfies the rule. */
      earliestAllowedDate: LocalDate;
      /** When a later session bounds that window: the last date before it. */
      latestAllowedDate?: LocalDate;
    };

const byCodePoint = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** Sessions that count for the rule: same family, still happening or done. */
function countedSessions(
  sessions: readonly PatientSession[],
  family: string,
  excludeBookingId: string | undefined,
): PatientSession[] {
  return sessions
    .filter(
      (s) =>
        s.family === family &&
        s.bookingId !== excludeBookingId &&
        (s.status === "confirmed" || s.status === "completed"),
    )
    .sort((a, b) => byCodePoint(a.date, b.date) || byCodePoint(a.bookingId, b.bookingId));
}

function conflictsOn(date: LocalDate, sessions: PatientSession[], min: number): PatientSession[] {
  return sessions.filter((s) => Math.abs(daysBetween(s.date, date)) < min);
}

/** The first date on or after `from` that is far enough from every counted session. */
function firstAllowedFrom(from: LocalDate, sessions: PatientSession[], min: number): LocalDate {
  let date = from;
  // Each jump passes at least one more session, so this ends after at most n + 1 rounds.
  for (;;) {
    const conflicts = conflictsOn(date, sessions, min);
    const last = conflicts[conflicts.length - 1];
    if (!last) return date;
    date = addDays(last.date, min);
  }
}

/**
 * Checks a candidate session date against the patient's other sessions.
 * `excludeBookingId` is the booking being rescheduled, which does not conflict
 * with itself. A null rule (a treatment without spacing) always passes.
 */
export function checkSpacing(input: {
  sessions: readonly PatientSession[];
  date: LocalDate;
  rule: SpacingRule | null;
  excludeBookingId?: string;
}): SpacingResult {
  const { rule, date } = input;
  if (!rule) return { ok: true };
  const min = rule.minIntervalDays;
  const sessions = countedSessions(input.sessions, rule.family, input.excludeBookingId);
  const conflicts = conflictsOn(date, sessions, min);
  if (conflicts.length === 0) return { ok: true };

  const nearest = conflicts.reduce((best, s) =>
    Math.abs(daysBetween(s.date, date)) < Math.abs(daysBetween(best.date, date)) ? s : best,
  );
  const earliestAllowedDate = firstAllowedFrom(date, sessions, min);
  const next = sessions.find((s) => s.date > earliestAllowedDate);
  return {
    ok: false,
    conflict: { bookingId: nearest.bookingId, date: nearest.date },
    earliestAllowedDate,
    ...(next ? { latestAllowedDate: addDays(next.date, -min) } : {}),
  };
}

/**
 * The earliest date from `today` on which the patient may book another session of
 * the family: what a rebooking link and the day-28 follow-up offer.
 */
export function earliestAllowedDate(input: {
  sessions: readonly PatientSession[];
  rule: SpacingRule | null;
  today: LocalDate;
}): LocalDate {
  if (!input.rule) return input.today;
  const min = input.rule.minIntervalDays;
  return firstAllowedFrom(
    input.today,
    countedSessions(input.sessions, input.rule.family, undefined),
    min,
  );
}

export interface Override {
  /** Staff user id (never a name or email). */
  actor: string;
  reason: string;
}

export const MIN_OVERRIDE_REASON_LENGTH = 10;

export type SpacingDecision =
  | {
      allowed: true;
      override?: Override & { conflict: SpacingConflict; earliestAllowedDate: LocalDate };
    }
  | { allowed: false; refusal: Extract<SpacingResult, { ok: false }> };

/**
 * A refusal stands unless a staff member overrides it with a written reason;
 * the override is then carried on the booking and written to the audit log.
 * An override on a booking that passes anyway records nothing.
 */
export function decideSpacing(result: SpacingResult, override?: Override): SpacingDecision {
  if (result.ok) return { allowed: true };
  if (override && override.reason.trim().length >= MIN_OVERRIDE_REASON_LENGTH) {
    return {
      allowed: true,
      override: {
        ...override,
        conflict: result.conflict,
        earliestAllowedDate: result.earliestAllowedDate,
      },
    };
  }
  return { allowed: false, refusal: result };
}
