import { addDays, type LocalDate, localDateOf } from "../../../shared/domain/calendar";
import type { Catalog, Treatment } from "../../../shared/domain/catalog";
import { listAvailability } from "../../../shared/services/availability";
import type { AppDeps } from "../context";
import { lastDayOf, monthOf, shiftMonth } from "./calendar";
import { clockTime } from "./format";

/** What the pages' calendars and time pickers read: availability, shaped for a person. */

export interface BookingWindow {
  today: LocalDate;
  /** The last bookable date (the clinic's horizon). */
  lastDate: LocalDate;
  firstMonth: string;
  lastMonth: string;
}

export function bookingWindow(catalog: Catalog, now: Date): BookingWindow {
  const { timezone, horizonDays } = catalog.clinic.policy;
  const today = localDateOf(now, timezone);
  const lastDate = addDays(today, horizonDays);
  return { today, lastDate, firstMonth: monthOf(today), lastMonth: monthOf(lastDate) };
}

/** Dates of the month that have at least one free time. */
export async function openDates(
  deps: AppDeps,
  window: BookingWindow,
  treatmentId: string,
  month: string,
): Promise<Set<LocalDate>> {
  const from = `${month}-01` < window.today ? window.today : `${month}-01`;
  const last = lastDayOf(month);
  const to = last > window.lastDate ? window.lastDate : last;
  if (from > to) return new Set();
  const { timezone, slots } = await listAvailability(deps.bookings, { treatmentId, from, to });
  return new Set(slots.map((s) => localDateOf(s.start, timezone)));
}

export interface TimeChoice {
  /** The start as an ISO instant: the radio button's value. */
  value: string;
  label: string;
  practitionerIds: string[];
}

/** The day's distinct start times, each with the practitioners free then. */
export async function dayTimes(
  deps: AppDeps,
  treatmentId: string,
  date: LocalDate,
): Promise<TimeChoice[]> {
  const { timezone, slots } = await listAvailability(deps.bookings, {
    treatmentId,
    from: date,
    to: date,
  });
  const byStart = new Map<string, TimeChoice>();
  for (const s of slots) {
    const value = s.start.toISOString();
    const choice = byStart.get(value) ?? {
      value,
      label: clockTime(s.start, timezone),
      practitionerIds: [],
    };
    choice.practitionerIds.push(s.practitionerId);
    byStart.set(value, choice);
  }
  return [...byStart.values()].sort((a, b) => (a.value < b.value ? -1 : 1));
}

export function treatmentOf(catalog: Catalog, id: string): Treatment | undefined {
  return catalog.treatments.find((t) => t.id === id);
}

export function practitionerName(catalog: Catalog, id: string): string {
  return catalog.practitioners.find((p) => p.id === id)?.name ?? id;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * The month a calendar shows: the one asked for when it is bookable, else `preferred`
 * (or today's); an empty month that was not asked for gives way to the next one.
 */
export async function calendarMonth(
  deps: AppDeps,
  window: BookingWindow,
  treatmentId: string,
  wanted: string | undefined,
  preferred?: string,
): Promise<{ month: string; open: Set<LocalDate> }> {
  const bookable = (m: string | undefined): m is string =>
    m !== undefined && MONTH.test(m) && m >= window.firstMonth && m <= window.lastMonth;
  if (bookable(wanted))
    return { month: wanted, open: await openDates(deps, window, treatmentId, wanted) };
  let month = bookable(preferred) ? preferred : window.firstMonth;
  let open = await openDates(deps, window, treatmentId, month);
  if (open.size === 0 && month < window.lastMonth) {
    month = shiftMonth(month, 1);
    open = await openDates(deps, window, treatmentId, month);
  }
  return { month, open };
}
