import { DateTime } from "luxon";
import { longDate } from "../../../shared/messages/aftercare-email";
import { appointmentWhen, clockTime, zoneLabel } from "../../../shared/messages/booking-emails";

/** How pages write dates and times: always in the clinic's timezone, named. */
export { appointmentWhen, clockTime, longDate, zoneLabel };

/** `30 December`, with the year when it is not the current one. */
export function dayMonth(date: string, today: string): string {
  const d = DateTime.fromISO(date, { zone: "UTC" }).setLocale("en-US");
  return date.slice(0, 4) === today.slice(0, 4) ? d.toFormat("d LLLL") : d.toFormat("d LLLL yyyy");
}

/** `December 2026` for a `YYYY-MM` month. */
export function monthTitle(month: string): string {
  return DateTime.fromISO(`${month}-01`, { zone: "UTC" }).setLocale("en-US").toFormat("LLLL yyyy");
}

/** `Tue 1 Dec, 10:00 AM` in the zone. */
export function shortWhen(instant: string | Date, zone: string): string {
  return DateTime.fromJSDate(new Date(instant), { zone })
    .setLocale("en-US")
    .toFormat("ccc d LLL, h:mm a");
}
