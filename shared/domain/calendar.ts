import { DateTime } from "luxon";

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
