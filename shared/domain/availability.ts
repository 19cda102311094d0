import {
  addDays,
  instantAt,
  type LocalDate,
  localDateOf,
  weekdayOf,
  type ZonedDay,
  zonedDays,
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
  const lastDate = addDays(localDateOf(q.now, zone), policy.horizonDays);
  const to = q.to < lastDate ? q.to : lastDate; // dates compare as strings
  const grid: Grid = {
    earliestStart: q.now.getTime() + policy.minNoticeMinutes * MINUTE,
    blockMs: (treatment.durationMinutes + treatment.bufferMinutes) * MINUTE,
    stepMs: policy.slotStepMinutes * MINUTE,
  };
  const offering = q.practitioners.filter((p) => p.treatmentIds.includes(treatment.id));
  if (offering.length === 0) return [];
  const busy = busyByPractitioner(q.busy);
  const days = zonedDays(q.from, to, zone);
  const closed = closuresByDate(q.closures);
  const byId = offering
    .map((p) => ({
      id: p.id,
      starts: freeStarts(p, days, closed, busy.get(p.id) ?? [], grid),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return mergeByStart(byId, treatment.durationMinutes * MINUTE);
}

/** What places a start: the slot-lock grid, the notice, and the span a booking blocks. */
interface Grid {
  earliestStart: number;
  blockMs: number;
  stepMs: number;
}

/** Each practitioner's busy intervals, sorted by start for the sweep. */
function busyByPractitioner(busy: readonly BusyInterval[]): Map<string, BusyInterval[]> {
  const out = new Map<string, BusyInterval[]>();
  for (const b of busy) {
    const list = out.get(b.practitionerId);
    if (list) list.push(b);
    else out.set(b.practitionerId, [b]);
  }
  for (const list of out.values()) list.sort((a, b) => a.start - b.start);
  return out;
}

function closuresByDate(closures: readonly Closure[]): Map<LocalDate, Closure[]> {
  const out = new Map<LocalDate, Closure[]>();
  for (const c of closures) {
    const list = out.get(c.date);
    if (list) list.push(c);
    else out.set(c.date, [c]);
  }
  return out;
}

/** One practitioner's free starts over the days, ascending. */
function freeStarts(
  p: Practitioner,
  days: readonly ZonedDay[],
  closed: ReadonlyMap<LocalDate, readonly Closure[]>,
  busy: readonly BusyInterval[],
  grid: Grid,
): number[] {
  const starts: number[] = [];
  for (const day of days) {
    if (isClosed(closed.get(day.date) ?? [], day.date, p.id)) continue;
    const ranges = p.weeklyHours[String(day.weekday) as keyof WeeklyHours] ?? [];
    for (const range of ranges) {
      const open = day.instantMs(range.start);
      const close = day.instantMs(range.end);
      freeStartsIn(open, close, busy, grid, starts);
    }
  }
  // Ranges listed out of order, or a spring-forward gap folding two ranges onto one
  // hour, break the order; starts are not deduplicated, as every range offers its own.
  if (!isAscending(starts)) starts.sort((a, b) => a - b);
  return starts;
}

/** Appends the grid starts in [open, close) whose session and buffer meet no busy interval. */
function freeStartsIn(
  open: number,
  close: number,
  busy: readonly BusyInterval[],
  { earliestStart, blockMs, stepMs }: Grid,
  out: number[],
): void {
  // `b` only moves forward: busy intervals and candidate starts are both sorted.
  let b = 0;
  // Starts sit on the slot-lock grid even when hours do not (e.g. 13:10).
  for (let t = Math.ceil(open / stepMs) * stepMs; t + blockMs <= close; t += stepMs) {
    if (t < earliestStart) continue;
    while (b < busy.length && (busy[b]?.end ?? 0) <= t) b++;
    const next = busy[b];
    if (next && next.start < t + blockMs) continue;
    out.push(t);
  }
}

function isAscending(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if ((xs[i - 1] as number) > (xs[i] as number)) return false;
  return true;
}

/**
 * Merges the practitioners' ascending starts into slots by start, then id (`lists`
 * come sorted by id, so on a tie the earlier list wins). Practitioners per clinic
 * are few: picking the least head by a scan beats a heap or a sort of all slots.
 */
function mergeByStart(
  lists: readonly { id: string; starts: readonly number[] }[],
  durationMs: number,
): Slot[] {
  const heads = lists.map(() => 0);
  const total = lists.reduce((n, l) => n + l.starts.length, 0);
  const slots: Slot[] = new Array(total);
  for (let n = 0; n < total; n++) {
    let best = -1;
    let bestStart = Number.POSITIVE_INFINITY;
    for (let i = 0; i < lists.length; i++) {
      const start = (lists[i] as { starts: readonly number[] }).starts[heads[i] as number];
      if (start !== undefined && (best === -1 || start < bestStart)) {
        best = i;
        bestStart = start;
      }
    }
    const list = lists[best] as { id: string };
    heads[best] = (heads[best] as number) + 1;
    slots[n] = {
      start: new Date(bestStart),
      end: new Date(bestStart + durationMs),
      practitionerId: list.id,
    };
  }
  return slots;
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
