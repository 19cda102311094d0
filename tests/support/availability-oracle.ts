import type { Slot, SlotQuery } from "../../shared/domain/availability";
import {
  addDays,
  datesInRange,
  instantAt,
  type LocalDate,
  localDateOf,
  weekdayOf,
} from "../../shared/domain/calendar";
import type { Closure, WeeklyHours } from "../../shared/domain/catalog";

/**
 * The slot computation as it stood before it was made fast (luxon per day and per
 * range, one sort at the end), kept verbatim as the reference the fast one must
 * match slot for slot. Tests only.
 */

const MINUTE = 60_000;

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
export function oracleComputeSlots(q: SlotQuery): Slot[] {
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
