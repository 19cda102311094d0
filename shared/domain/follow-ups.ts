import type { AftercarePlan, PlanStep } from "./aftercare-plan";
import type { Booking } from "./booking";
import type { PatientSession } from "./spacing";
import { type StepTimingPolicy, stepArrivals } from "./step-timing";

/**
 * Follow-ups: every message (or timed action) a booking causes, each with a due
 * instant, a status and one one-time schedule. A follow-up is a self-contained job:
 * it carries what its email needs, and every change to its booking or to the
 * patient's consent rewrites it in the same transaction, so a follow-up still
 * `scheduled` always belongs to a live booking whose patient still wants it.
 */

export type FollowUpKind =
  | "confirmation"
  | "reminder"
  | "cancellation"
  | "auto-complete"
  | "aftercare";
export type FollowUpStatus =
  | "scheduled"
  | "sending"
  | "sent"
  | "skipped"
  | "cancelled"
  | "failed"
  /** A newer session of the family was completed: its timeline replaces this one's rest. */
  | "superseded";

export interface FollowUp {
  /** `<bookingId>-<step>`: the natural key; also names the schedule. */
  id: string;
  locationId: string;
  bookingId: string;
  patientId: string;
  kind: FollowUpKind;
  /** "confirmation-2", "reminder-2", "cancellation-3", "auto-complete-2", or the plan step id ("day-2"). */
  step: string;
  dueAt: string;
  status: FollowUpStatus;
  /** Recipient and what the message shows, copied from the booking when (re)written. */
  to: string;
  patientName: string;
  treatmentId: string;
  treatmentName: string;
  bookingStart: string;
  bookingEnd: string;
  bookingDate: string;
  /** The booking version this was written for (the .ics SEQUENCE). */
  bookingVersion: number;
  /**
   * A confirmation: whether it tells of a move (an earlier confirmation went out) or
   * confirms an appointment the patient has not heard of yet. Absent on older rows.
   */
  moved?: boolean;
  /** A cancellation: who cancelled, which decides its wording. */
  cancelledBy?: CancelledBy;
  planVersion?: number;
  planStep?: PlanStep;
  /** For the rebooking steps: the patient's sessions, kept current by every patient write. */
  patientSessions?: PatientSession[];
  /** The newer session whose timeline replaced this step (status `superseded`). */
  supersededBy?: { bookingId: string; date: string };
  attempts: number;
  createdAt: string;
  updatedAt: string;
  claimedAt?: string;
  sentAt?: string;
  messageId?: string;
  error?: string;
  rendered?: { subject: string; text: string; html: string };
}

export const PENDING: readonly FollowUpStatus[] = ["scheduled"];

/** Who called a cancellation: the patient (or staff at their request), or the clinic. */
export type CancelledBy = "patient" | "clinic";

const HOUR = 3_600_000;
const MINUTE = 60_000;

export interface FollowUpPolicy {
  timezone: string;
  /** Reminder this long before the start (24 h). */
  reminderHoursBefore: number;
  /** A session this long past its end with no status change counts as completed; null: off. */
  autoCompleteGraceMinutes: number | null;
}

type BookingFacts = Pick<
  Booking,
  | "id"
  | "locationId"
  | "patientId"
  | "patient"
  | "treatmentId"
  | "start"
  | "end"
  | "date"
  | "version"
> & { treatmentName: string };

function base(b: BookingFacts, kind: FollowUpKind, step: string, dueAt: Date, now: Date): FollowUp {
  return {
    id: `${b.id}-${step}`,
    locationId: b.locationId,
    bookingId: b.id,
    patientId: b.patientId,
    kind,
    step,
    dueAt: dueAt.toISOString(),
    status: "scheduled",
    to: b.patient.email,
    patientName: b.patient.name,
    treatmentId: b.treatmentId,
    treatmentName: b.treatmentName,
    bookingStart: b.start,
    bookingEnd: b.end,
    bookingDate: b.date,
    bookingVersion: b.version,
    attempts: 0,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/**
 * What a confirmed booking schedules: the confirmation now (a new one after each
 * reschedule), the reminder 24 h before unless that has passed, and the automatic
 * completion after the grace period.
 */
export function bookingFollowUps(
  b: BookingFacts,
  policy: FollowUpPolicy,
  now: Date,
  options: { moved?: boolean } = {},
): FollowUp[] {
  // Steps carry the booking version: a reschedule writes new follow-ups beside the
  // old ones (cancelled, or kept as sent), so nothing already sent is overwritten.
  const v = b.version;
  const start = Date.parse(b.start);
  const out: FollowUp[] = [
    { ...base(b, "confirmation", `confirmation-${v}`, now, now), moved: options.moved ?? false },
  ];
  const reminderAt = start - policy.reminderHoursBefore * HOUR;
  if (reminderAt > now.getTime()) {
    out.push(base(b, "reminder", `reminder-${v}`, new Date(reminderAt), now));
  }
  if (policy.autoCompleteGraceMinutes !== null) {
    const at = Date.parse(b.end) + policy.autoCompleteGraceMinutes * MINUTE;
    out.push(base(b, "auto-complete", `auto-complete-${v}`, new Date(at), now));
  }
  return out;
}

/**
 * Whether the patient has heard of the booking: a confirmation went out (or may
 * have: one being sent, or one whose send failed without an answer). Only then is
 * a move "moved" and a cancellation worth an email.
 */
export function confirmationWentOut(followUps: readonly FollowUp[]): boolean {
  return followUps.some(
    (f) =>
      f.kind === "confirmation" &&
      (f.status === "sent" || f.status === "sending" || f.status === "failed"),
  );
}

/** The cancellation notice, at once; its `.ics` cancels the event under the new version. */
export function cancellationFollowUp(
  b: BookingFacts,
  cancelledBy: CancelledBy,
  now: Date,
): FollowUp {
  return { ...base(b, "cancellation", `cancellation-${b.version}`, now, now), cancelledBy };
}

/** What a session's outcome starts from the plan: aftercare on completion, "we missed you" on a no-show. */
export type PlanTrigger = "completed" | "no-show";

export function triggeredBy(step: Pick<PlanStep, "kind">): PlanTrigger {
  return step.kind === "no-show" ? "no-show" : "completed";
}

/**
 * The plan's follow-ups for a session's outcome under one plan version: the
 * aftercare timeline of a completed session, or the no-show step of a missed one.
 * The full plan at once, each step at its arrival (`stepArrivals`: at or before the
 * window it describes, inside sending hours, an hour apart at least).
 */
export function aftercareFollowUps(
  b: BookingFacts,
  plan: AftercarePlan,
  policy: StepTimingPolicy,
  completedAt: Date,
  trigger: PlanTrigger = "completed",
): FollowUp[] {
  const steps = plan.steps.filter((step) => triggeredBy(step) === trigger);
  const arrivals = stepArrivals(steps, { date: b.date, end: new Date(b.end) }, completedAt, policy);
  return steps.map((step, i) => ({
    ...base(b, "aftercare", step.id, arrivals[i] as Date, completedAt),
    planVersion: plan.version,
    planStep: step,
  }));
}

/** Pending follow-ups that a change makes moot become `cancelled` (with why, if given). */
export function cancelPending(
  followUps: readonly FollowUp[],
  now: Date,
  options: { only?: (f: FollowUp) => boolean; reason?: string } = {},
): FollowUp[] {
  return followUps
    .filter((f) => PENDING.includes(f.status) && (options.only?.(f) ?? true))
    .map((f) => ({
      ...f,
      status: "cancelled" as const,
      updatedAt: now.toISOString(),
      ...(options.reason ? { error: options.reason } : {}),
    }));
}

/** Emails stop for a suppressed address (bounce, complaint); aftercare stops on unsubscribe. */
export type EmailStop = "unsubscribed" | "suppressed";

export function isEmail(f: Pick<FollowUp, "kind">): boolean {
  return f.kind !== "auto-complete";
}

export function stoppedBy(stop: EmailStop, f: Pick<FollowUp, "kind">): boolean {
  return stop === "suppressed" ? isEmail(f) : f.kind === "aftercare";
}

/** Whether a follow-up's email quotes the patient's sessions (earliest date, rebooked?). */
export function quotesSessions(f: Pick<FollowUp, "planStep">): boolean {
  const kind = f.planStep?.kind;
  return kind === "rebook" || kind === "last-reminder" || kind === "no-show";
}

/** References to rebooking follow-ups still to come (those long past are dropped). */
export function pendingRebookRefs<T extends { dueAt: string }>(
  refs: readonly T[] | undefined,
  now: Date,
): T[] {
  const DAY = 86_400_000;
  return (refs ?? []).filter((r) => Date.parse(r.dueAt) > now.getTime() - DAY);
}
