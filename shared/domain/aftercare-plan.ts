/**
 * The clinic's aftercare timeline as data. A plan is versioned: a session keeps
 * the version it was completed under, and a new version applies to sessions
 * completed after it. Every word of it comes from the clinic's aftercare guide.
 */

export interface PlanSection {
  heading: string;
  paragraphs?: string[];
  bullets?: string[];
  table?: { columns: string[]; rows: string[][] };
}

export type PlanStepKind =
  /** Care advice for the day. */
  | "aftercare"
  /** "You may book your next session": carries the earliest allowed date and a booking link. */
  | "rebook"
  /** The last reminder to book; skipped when the patient has already rebooked. */
  | "last-reminder"
  /**
   * "We missed you", when the session is marked a no-show (its day counts from the
   * session), with a booking link; skipped when the patient has already rebooked.
   * Removing it from the plan switches it off.
   */
  | "no-show";

export interface PlanStep {
  /** Stable id within a plan, e.g. "day-2"; part of the follow-up's natural key. */
  id: string;
  kind: PlanStepKind;
  /** Calendar days after the session (clinic-local); 0 = the session day. */
  offsetDays: number;
  /** Local `HH:mm` to send at; null = as soon as the session's outcome is marked. */
  sendAt: string | null;
  /**
   * Hours after the session's end at which the window this step describes opens
   * (the guide's "24–48 hours"); the email arrives at or before it. When set, the
   * step has no day or time of its own (offsetDays 0, sendAt null).
   */
  offsetHours?: number;
  /** Never names the procedure (inboxes are not private). */
  subject: string;
  sections: PlanSection[];
}

export interface AftercarePlan {
  version: number;
  steps: PlanStep[];
  createdAt: string;
  /** Staff id, or "seed". */
  createdBy: string;
}
