import {
  addDays,
  datesInRange,
  instantAt,
  type LocalDate,
  localDateOf,
  weekdayOf,
} from "./calendar";
import type { ClinicPolicy, Closure, Practitioner, Treatment, WeeklyHours } from "./catalog";

/**
 * Free slots: a practitioner who performs the treatment, on a day they work and
 * are not closed, with the whole session and its buffer inside their hours,
 * not overlapping another booking (with its buffer), at least the minimum notice
 * from now and within the booking horizon. Starts lie on the slot-step grid
 * (the same grid as the slot locks).
 */

export interface BusyInterval {
  practitionerId: string;
  /** Epoch milliseconds; `end` includes the booking's buffer. */
  start: number;
  end: number;
}

export interface Slot {
  start: Date;
  end: Date;
  practitionerId: string;
}

export interface SlotQuery {
  treatment: Treatment;
  practitioners: readonly Practitioner[];
  closures: readonly Closure[];
  busy: readonly BusyInterval[];
  from: LocalDate;
  to: LocalDate;
  now: Date;
  policy: ClinicPolicy;
}

const MINUTE = 60_000;

/** The interval a session blocks for its practitioner: duration plus buffer. */
export function occupiedUntil(start: Date, treatment: Treatment): Date {
  return new Date(start.getTime() + (treatment.durationMinutes + treatment.bufferMinutes) * MINUTE);
}

export function sessionEnd(start: Date, treatment: Treatment): Date {
  return new Date(start.getTime() + treatment.durationMinutes * MINUTE);
}

function hoursOn(hours: WeeklyHours, date: LocalDate) {
  return hours[String(weekdayOf(date)) as keyof WeeklyHours] ?? [];
}

function isClosed(closures: readonly Closure[], date: LocalDate, practitionerId: string) {
  return closures.some(
    (c) =>
      c.date === date && (c.practitionerId === undefined || c.practitionerId === practitionerId),
  );
}

/** Slots ordered by start, then practitioner id. */
export function computeSlots(q: SlotQuery): Slot[] {
  const { treatment, policy } = q;
  const zone = policy.timezone;
  const earliestStart = q.now.getTime() + policy.minNoticeMinutes * MINUTE;
  const lastDate = addDays(localDateOf(q.now, zone), policy.horizonDays);
  const to = q.to < lastDate ? q.to : lastDate; // dates compare as strings
  const blockMs = (treatment.durationMinutes + treatment.bufferMinutes) * MINUTE;
  const stepMs = policy.slotStepMinutes * MINUTE;
  const slots: Slot[] = [];

  for (const p of q.practitioners) {
    if (!p.treatmentIds.includes(treatment.id)) continue;
    const busy = q.busy.filter((b) => b.practitionerId === p.id).sort((a, b) => a.start - b.start);
    for (const date of datesInRange(q.from, to)) {
      if (isClosed(q.closures, date, p.id)) continue;
      for (const range of hoursOn(p.weeklyHours, date)) {
        const open = instantAt(date, range.start, zone).getTime();
        const close = instantAt(date, range.end, zone).getTime();
        // `b` only moves forward: busy intervals and candidate starts are both sorted.
        let b = 0;
        // Starts sit on the slot-lock grid even when hours do not (e.g. 13:10).
        for (let t = Math.ceil(open / stepMs) * stepMs; t + blockMs <= close; t += stepMs) {
          if (t < earliestStart) continue;
          while (b < busy.length && (busy[b]?.end ?? 0) <= t) b++;
          const next = busy[b];
          if (next && next.start < t + blockMs) continue;
          slots.push({
            start: new Date(t),
            end: new Date(t + treatment.durationMinutes * MINUTE),
            practitionerId: p.id,
          });
        }
      }
    }
  }
  return slots.sort(
    (a, b) =>
      a.start.getTime() - b.start.getTime() || (a.practitionerId < b.practitionerId ? -1 : 1),
  );
}

/**
 * The practitioners whose hours offer this exact start (ignoring other bookings,
 * which the booking transaction checks through slot locks).
 */
export function practitionersOffering(
  q: Omit<SlotQuery, "busy" | "from" | "to"> & { start: Date },
): string[] {
  const { treatment, policy } = q;
  const zone = policy.timezone;
  const t = q.start.getTime();
  const stepMs = policy.slotStepMinutes * MINUTE;
  const blockMs = (treatment.durationMinutes + treatment.bufferMinutes) * MINUTE;
  const date = localDateOf(q.start, zone);
  // The same rules as computeSlots, checked for one start instead of listing a day.
  if (t % stepMs !== 0 || t < q.now.getTime() + policy.minNoticeMinutes * MINUTE) return [];
  if (date > addDays(localDateOf(q.now, zone), policy.horizonDays)) return [];
  return q.practitioners
    .filter(
      (p) =>
        p.treatmentIds.includes(treatment.id) &&
        !isClosed(q.closures, date, p.id) &&
        hoursOn(p.weeklyHours, date).some(
          (range) =>
            t >= instantAt(date, range.start, zone).getTime() &&
            t + blockMs <= instantAt(date, range.end, zone).getTime(),
        ),
    )
    .map((p) => p.id)
    .sort();
}

/**
 * The slot-lock keys a booking holds: one per grid step its session and buffer
 * cover. Two bookings of one practitioner overlap exactly when they share a key,
 * because every start lies on the same grid (whole-hour offsets keep the local
 * grid aligned with UTC).
 */
export function slotLockInstants(start: Date, until: Date, stepMinutes: number): string[] {
  const stepMs = stepMinutes * MINUTE;
  const first = Math.floor(start.getTime() / stepMs) * stepMs;
  const out: string[] = [];
  for (let t = first; t < until.getTime(); t += stepMs) out.push(new Date(t).toISOString());
  return out;
}
