import { addDays, type LocalDate, weekdayOf } from "../../../shared/domain/calendar";
import { longDate, monthTitle } from "./format";

/** One day of the month calendar; `early` = has times, but before the patient may book. */
export type DayState = "open" | "closed" | "early" | "blank";

export interface CalendarDay {
  date: LocalDate | null;
  state: DayState;
}

/** `YYYY-MM` of a date, and the month after or before one. */
export const monthOf = (date: LocalDate) => date.slice(0, 7);
export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const index = y * 12 + (m - 1) + by;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}
export function lastDayOf(month: string): LocalDate {
  return addDays(`${shiftMonth(month, 1)}-01`, -1);
}

/**
 * The weeks (Monday first) of a month: a day is open when it has free times and is
 * not before `earliest` (the first date this patient may book, when known).
 */
export function monthWeeks(
  month: string,
  openDates: ReadonlySet<LocalDate>,
  earliest?: LocalDate,
): CalendarDay[][] {
  const first = `${month}-01`;
  const last = lastDayOf(month);
  const days: CalendarDay[] = [];
  for (let i = 1; i < weekdayOf(first); i++) days.push({ date: null, state: "blank" });
  for (let d = first; d <= last; d = addDays(d, 1)) {
    const state: DayState = !openDates.has(d)
      ? "closed"
      : earliest && d < earliest
        ? "early"
        : "open";
    days.push({ date: d, state });
  }
  while (days.length % 7) days.push({ date: null, state: "blank" });
  const weeks: CalendarDay[][] = [];
  for (let i = 0; i < days.length; i += 7) weeks.push(days.slice(i, i + 7));
  return weeks;
}

const WEEKDAYS = [
  ["Mon", "Monday"],
  ["Tue", "Tuesday"],
  ["Wed", "Wednesday"],
  ["Thu", "Thursday"],
  ["Fri", "Friday"],
  ["Sat", "Saturday"],
  ["Sun", "Sunday"],
] as const;

export interface MonthCalendarProps {
  month: string;
  weeks: CalendarDay[][];
  dayHref: (date: LocalDate) => string;
  monthHref: (month: string) => string;
  /** Months that may be shown (today's month to the booking horizon's). */
  firstMonth: string;
  lastMonth: string;
  /** Said of a greyed-out day. */
  earlyReason?: string;
}

/** A month as a table: days with free times are links, the others are plain text. */
export function MonthCalendar(p: MonthCalendarProps) {
  const prev = shiftMonth(p.month, -1);
  const next = shiftMonth(p.month, 1);
  return (
    <div>
      <div class="monthnav">
        {prev >= p.firstMonth ? (
          <a href={p.monthHref(prev)} rel="prev">
            ← {monthTitle(prev)}
          </a>
        ) : (
          <span />
        )}
        {next <= p.lastMonth ? (
          <a href={p.monthHref(next)} rel="next">
            {monthTitle(next)} →
          </a>
        ) : (
          <span />
        )}
      </div>
      <table class="cal">
        <caption>{monthTitle(p.month)}</caption>
        <thead>
          <tr>
            {WEEKDAYS.map(([short, long]) => (
              <th scope="col">
                <abbr title={long}>{short}</abbr>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {p.weeks.map((week) => (
            <tr>
              {week.map((day) => (
                <td>
                  {day.date === null ? null : day.state === "open" ? (
                    <a href={p.dayHref(day.date)}>
                      {Number(day.date.slice(8))}
                      <span class="vh">, {longDate(day.date)}: free times</span>
                    </a>
                  ) : (
                    <span class={day.state === "early" ? "early" : "off"}>
                      {Number(day.date.slice(8))}
                      <span class="vh">
                        , {longDate(day.date)}:{" "}
                        {day.state === "early" ? (p.earlyReason ?? "not yet") : "no free times"}
                      </span>
                    </span>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
