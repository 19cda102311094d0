import type { PlanStep } from "./aftercare-plan";
import { addDays, instantAt, type LocalDate, localDateOf } from "./calendar";

/**
 * When each of a plan's emails arrives. The guide counts its windows in hours from
 * the treatment ("Day 2 (24–48 hours)"), so a step timed in hours arrives at or
 * before its window opens; a step on a day at a local time ("day 28, 10:00") goes
 * then. Either way only inside the clinic's sending hours (a step due at night goes
 * at the next opening), never before the outcome is marked, and never within an
 * hour of the step before it: two emails in one hour read as a glitch.
 */

/** Clinic-local `HH:mm` times; emails go from `start` to `end`, both included. */
export interface SendingHours {
  start: string;
  end: string;
}

export const DEFAULT_SENDING_HOURS: SendingHours = { start: "08:00", end: "20:00" };

const HOUR = 3_600_000;

export interface StepTimingPolicy {
  timezone: string;
  sendingHours: SendingHours;
}

function hoursOn(date: LocalDate, p: StepTimingPolicy): [number, number] {
  return [
    instantAt(date, p.sendingHours.start, p.timezone).getTime(),
    instantAt(date, p.sendingHours.end, p.timezone).getTime(),
  ];
}

/** The earliest instant at or after `t` inside the sending hours. */
export function nextSendingInstant(t: number, p: StepTimingPolicy): number {
  const date = localDateOf(new Date(t), p.timezone);
  for (let i = 0; i < 3; i++) {
    const [open, close] = hoursOn(addDays(date, i), p);
    if (t <= close) return Math.max(t, open);
  }
  throw new RangeError("No sending hours in three days"); // unreachable: hours are daily
}

/** The latest instant at or before `t` inside the sending hours. */
export function latestSendingInstant(t: number, p: StepTimingPolicy): number {
  const date = localDateOf(new Date(t), p.timezone);
  for (let i = 0; i < 3; i++) {
    const [open, close] = hoursOn(addDays(date, -i), p);
    if (t >= open) return Math.min(t, close);
  }
  throw new RangeError("No sending hours in three days");
}

export interface TimedSession {
  /** The session's clinic-local date. */
  date: LocalDate;
  /** Its end, where hour offsets count from. */
  end: Date;
}

/** When a step would go on its own: its window's opening, or its day and time. */
function ownArrival(
  step: PlanStep,
  session: TimedSession,
  markedAt: number,
  p: StepTimingPolicy,
): number {
  if (step.offsetHours !== undefined) {
    const opens = session.end.getTime() + step.offsetHours * HOUR;
    const before = latestSendingInstant(opens, p);
    // A window that opened before the outcome was marked (or whose last sending
    // hour before it has passed) gets its email as soon as hours allow.
    return before >= markedAt ? before : nextSendingInstant(markedAt, p);
  }
  const nominal =
    step.sendAt === null
      ? markedAt
      : instantAt(addDays(session.date, step.offsetDays), step.sendAt, p.timezone).getTime();
  return nextSendingInstant(Math.max(nominal, markedAt), p);
}

/**
 * Each step's arrival for a session whose outcome was marked at `markedAt`, in the
 * steps' order. Steps are spaced by placing them in time order: one less than an
 * hour after the previous email moves to an hour after it (then to sending hours).
 */
export function stepArrivals(
  steps: readonly PlanStep[],
  session: TimedSession,
  markedAt: Date,
  p: StepTimingPolicy,
): Date[] {
  const marked = markedAt.getTime();
  const own = steps.map((step, i) => ({ i, at: ownArrival(step, session, marked, p) }));
  const inOrder = [...own].sort((a, b) => a.at - b.at || a.i - b.i);
  const out: Date[] = new Array(steps.length);
  let previous = Number.NEGATIVE_INFINITY;
  for (const { i, at } of inOrder) {
    const spaced = at < previous + HOUR ? nextSendingInstant(previous + HOUR, p) : at;
    out[i] = new Date(spaced);
    previous = spaced;
  }
  return out;
}
