import { DateTime, Info } from "luxon";

/**
 * Calendar arithmetic in a clinic's IANA timezone. Every calendar rule ("28 days
 * later", "day 2 at 09:00") goes through here so that it is computed on local
 * dates, never by adding multiples of 24 hours to an instant.
 */

/** A clinic-local calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isLocalDate(value: string): boolean {
  return DATE_RE.test(value) && DateTime.fromISO(value, { zone: "UTC" }).isValid;
}

function dateOf(date: LocalDate): DateTime {
  const parsed = DateTime.fromISO(date, { zone: "UTC" });
  if (!DATE_RE.test(date) || !parsed.isValid) throw new RangeError(`Not a date: ${date}`);
  return parsed;
}

/** The clinic-local date on which an instant falls. */
export function localDateOf(instant: Date | string, zone: string): LocalDate {
  const dt =
    typeof instant === "string"
      ? DateTime.fromISO(instant, { zone })
      : DateTime.fromJSDate(instant, { zone });
  return dt.toISODate() as LocalDate;
}

/** `date` plus `days` calendar days (negative to go back). */
export function addDays(date: LocalDate, days: number): LocalDate {
  return dateOf(date).plus({ days }).toISODate() as LocalDate;
}

/** Whole calendar days from `a` to `b` (positive when `b` is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round(dateOf(b).diff(dateOf(a), "days").days);
}

/** ISO weekday, 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: LocalDate): number {
  return dateOf(date).weekday;
}

/**
 * The instant of a local wall-clock time on a date. A time that does not exist
 * (spring forward) moves forward by the gap; a repeated time (fall back) takes
 * the first occurrence, as luxon does.
 */
export function instantAt(date: LocalDate, time: string, zone: string): Date {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!dt.isValid) throw new RangeError(`Not a local time: ${date}T${time} in ${zone}`);
  // luxon resolves a repeated wall time with the zone's offset *today*; pin the first one.
  const first = dt.getPossibleOffsets().reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a), dt);
  return first.toJSDate();
}

/** ISO-8601 with the clinic's offset, e.g. `2026-12-03T10:00:00-08:00`. */
export function toLocalIso(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISO({ suppressMilliseconds: true }) as string;
}

/** Every date from `from` to `to`, both included. */
export function datesInRange(from: LocalDate, to: LocalDate): LocalDate[] {
  const out: LocalDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Is `zone` an IANA timezone luxon can use? */
export function isTimeZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

/**
 * `toLocalIso` for many instants in one zone (availability lists thousands): the
 * zone is asked once per UTC hour, not per instant; an hour holding an offset change
 * falls back to the exact path.
 */
export function localIsoFormatter(zone: string): (instant: Date) => string {
  const hours = new Map<number, [offsetMinutes: number, suffix: string] | null>();
  return (instant) => {
    const ms = instant.getTime();
    const hour = Math.floor(ms / 3_600_000);
    let entry = hours.get(hour);
    if (entry === undefined) {
      const a = DateTime.fromMillis(hour * 3_600_000, { zone });
      const b = DateTime.fromMillis((hour + 1) * 3_600_000 - 1, { zone });
      entry =
        a.offset === b.offset
          ? [a.offset, (a.toISO({ suppressMilliseconds: true }) as string).slice(19)]
          : null;
      hours.set(hour, entry);
    }
    if (entry === null || ms % 1000 !== 0) return toLocalIso(instant, zone);
    return `${new Date(ms + entry[0] * 60_000).toISOString().slice(0, 19)}${entry[1]}`;
  };
}

/** A clinic-local date with what a day-by-day walk needs, computed once. */
export interface ZonedDay {
  date: LocalDate;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** `instantAt(date, time, zone)` in epoch milliseconds. */
  instantMs(time: string): number;
}

const DAY_MS = 86_400_000;
const CLOCK_RE = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

/**
 * `datesInRange` with `instantAt` for each date, for walks over many dates and
 * times (availability asks for thousands). The zone is asked once per day. A day
 * whose offset holds from the day before to the day after, in whole minutes, is
 * plain arithmetic on `HH:mm`; any other day (an offset change near it) and any
 * other time string take `instantAt` itself, so both paths give the same instant.
 */
export function zonedDays(from: LocalDate, to: LocalDate, zone: string): ZonedDay[] {
  if (from > to) return [];
  const first = dateOf(from).toMillis();
  const dates: LocalDate[] = [];
  for (let ms = first, d = from; d <= to; ms += DAY_MS, d = utcDateOf(ms)) dates.push(d);
  // offsets[i + k] is the offset at local midnight of day i, as UTC, plus k - 1 days.
  const tz = Info.normalizeZone(zone);
  const offsets = Array.from({ length: dates.length + 3 }, (_, k) =>
    tz.offset(first + (k - 1) * DAY_MS),
  );
  return dates.map((date, i) => {
    const midnight = first + i * DAY_MS;
    const offset = offsets[i] as number;
    const steady = Number.isInteger(offset) && offsets.slice(i, i + 4).every((o) => o === offset);
    return {
      date,
      weekday: isoWeekdayOfUtc(midnight),
      instantMs(time) {
        const clock = steady ? CLOCK_RE.exec(time) : null;
        if (!clock) return instantAt(date, time, zone).getTime();
        const minutes = clock[1] === undefined ? 24 * 60 : Number(clock[1]) * 60 + Number(clock[2]);
        return midnight + (minutes - offset) * 60_000;
      },
    };
  });
}

/** 1970-01-01 was a Thursday (4). */
function isoWeekdayOfUtc(ms: number): number {
  const days = Math.floor(ms / DAY_MS);
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

function utcDateOf(ms: number): LocalDate {
  return new Date(ms).toISOString().slice(0, 10);
}
