import type { Booking, BookingStatus } from "./booking";
import type { ClinicPolicy } from "./catalog";
import { DomainError } from "./errors";

/**
 * The booking lifecycle, in one place:
 *
 *   confirmed ──complete──► completed      (staff, once the session has started)
 *   confirmed ──no-show───► no-show        (staff, once the session has started)
 *   confirmed ──cancel────► cancelled      (patient until the cut-off; staff any time)
 *   confirmed ──reschedule► confirmed      (patient until the cut-off; staff any time)
 *
 * Completed, no-show and cancelled are final.
 */

export type Action = "complete" | "no-show" | "cancel" | "reschedule";
export type Actor =
  | { kind: "patient" }
  | { kind: "staff"; id: string }
  /** The clinic's own automation, e.g. completing a session after the grace period. */
  | { kind: "system" };

const TARGET: Record<Action, BookingStatus> = {
  complete: "completed",
  "no-show": "no-show",
  cancel: "cancelled",
  reschedule: "confirmed",
};

const ACTIONS: readonly Action[] = ["complete", "no-show", "reschedule", "cancel"];

const HOUR = 3_600_000;

/**
 * The last instant a patient may still reschedule or cancel: `changeCutoffHours`
 * elapsed hours before the start (real hours, so across a DST change the wall-clock
 * time moves by the hour gained or lost). The instant itself is still allowed.
 */
export function changeCutoff(
  booking: Pick<Booking, "start">,
  policy: Pick<ClinicPolicy, "changeCutoffHours">,
): Date {
  return new Date(Date.parse(booking.start) - policy.changeCutoffHours * HOUR);
}

/** Returns the status after `action`, or throws the reason it is not allowed. */
export function transition(
  booking: Pick<Booking, "status" | "start">,
  action: Action,
  ctx: { actor: Actor; now: Date; changeCutoffHours: number },
): BookingStatus {
  if (booking.status !== "confirmed") {
    throw new DomainError("INVALID_STATE", `A ${booking.status} booking cannot be changed.`, {
      status: booking.status,
    });
  }
  const start = Date.parse(booking.start);
  const now = ctx.now.getTime();
  if ((action === "complete" || action === "no-show") && now < start) {
    throw new DomainError("INVALID_STATE", "The session has not started yet.", {
      status: booking.status,
    });
  }
  if ((action === "complete" || action === "no-show") && ctx.actor.kind === "patient") {
    throw new DomainError("FORBIDDEN", "Only the clinic's staff can record how a session went.");
  }
  if (
    (action === "cancel" || action === "reschedule") &&
    ctx.actor.kind === "patient" &&
    now > changeCutoff(booking, ctx).getTime()
  ) {
    throw new DomainError(
      "TOO_LATE_TO_CHANGE",
      `Online changes close ${ctx.changeCutoffHours} hours before the session; please call the clinic.`,
      { cutoffHours: ctx.changeCutoffHours },
    );
  }
  return TARGET[action];
}

/**
 * What `actor` may do with the booking at `now`, the very rule `transition` applies:
 * only a confirmed booking changes; staff (and the clinic's automation) reschedule or
 * cancel it at any time and record its outcome (complete, no-show) once it has
 * started; a patient reschedules or cancels until the change cut-off, that instant
 * included. Views ask this instead of re-deriving the rule.
 */
export function allowedActions(
  booking: Pick<Booking, "status" | "start">,
  actor: Actor,
  now: Date,
  policy: Pick<ClinicPolicy, "changeCutoffHours">,
): Action[] {
  const ctx = { actor, now, changeCutoffHours: policy.changeCutoffHours };
  return ACTIONS.filter((action) => {
    try {
      transition(booking, action, ctx);
      return true;
    } catch (error) {
      if (error instanceof DomainError) return false;
      throw error;
    }
  });
}

/** Statuses that hold the practitioner's time and count for spacing. */
export function holdsSlot(status: BookingStatus): boolean {
  return status === "confirmed" || status === "completed";
}
