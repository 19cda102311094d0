import type { LocalDate } from "./calendar";
import type { PatientSession } from "./spacing";

/**
 * How many upcoming sessions one patient (one email at one clinic) may hold.
 *
 * A patient's upcoming sessions are their confirmed sessions dated today or later
 * (clinic-local), of any treatment. Online, a booking that would take the patient
 * past the clinic's cap is refused; a receptionist may go past it with a written
 * reason, which is audited. This keeps one address from hoarding the calendar.
 */

/** The clinic's cap: a positive whole number, or null for no cap (its default is the catalog schema's). */
export function bookingCapOf(policy: { maxFutureBookingsPerPatient: number | null }) {
  return policy.maxFutureBookingsPerPatient;
}

/** Confirmed sessions on or after `today` (clinic-local), other than `excludeBookingId`. */
export function upcomingSessions(
  sessions: readonly PatientSession[],
  today: LocalDate,
  excludeBookingId?: string,
): PatientSession[] {
  return sessions.filter(
    (s) => s.status === "confirmed" && s.date >= today && s.bookingId !== excludeBookingId,
  );
}

export type BookingCapDecision =
  | { allowed: true; exceededBy?: { actor: string; reason: string; held: number; max: number } }
  | { allowed: false; held: number; max: number };

/**
 * May the patient take one more upcoming session? Yes while they hold fewer than
 * `max`; past it only with a staff override (a reason of at least `minReasonLength`
 * characters). A null `max` means the clinic sets no cap.
 */
export function decideBookingCap(input: {
  sessions: readonly PatientSession[];
  today: LocalDate;
  max: number | null;
  override?: { actor: string; reason: string };
  minReasonLength: number;
}): BookingCapDecision {
  if (input.max === null) return { allowed: true };
  const held = upcomingSessions(input.sessions, input.today).length;
  if (held < input.max) return { allowed: true };
  const { override } = input;
  if (override && override.reason.trim().length >= input.minReasonLength) {
    return { allowed: true, exceededBy: { ...override, held, max: input.max } };
  }
  return { allowed: false, held, max: input.max };
}
