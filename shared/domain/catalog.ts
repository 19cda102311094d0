import type { LocalDate } from "./calendar";
import { DEFAULT_SENDING_HOURS, type SendingHours } from "./step-timing";

/** What a clinic offers and when: the data availability and spacing are computed from. */

export interface Treatment {
  id: string;
  name: string;
  /** Sessions of one family are spaced by `minIntervalDays`; e.g. all microneedling. */
  family: string;
  durationMinutes: number;
  /** Room turnover after the session; the practitioner is busy during it. */
  bufferMinutes: number;
  /** Minimum days between two sessions of the family; null when no rule applies. */
  minIntervalDays: number | null;
  recommendedMaxDays?: number | null;
  /** Completing a session of this treatment starts the clinic's aftercare plan. */
  aftercare: boolean;
}

export interface TimeRange {
  /** Local wall-clock `HH:mm`. */
  start: string;
  end: string;
}

/** ISO weekday (1 = Monday … 7 = Sunday) → working ranges that day. */
export type WeeklyHours = Partial<Record<"1" | "2" | "3" | "4" | "5" | "6" | "7", TimeRange[]>>;

export interface Practitioner {
  id: string;
  name: string;
  weeklyHours: WeeklyHours;
  /** Treatments this practitioner performs. */
  treatmentIds: string[];
}

export interface Closure {
  date: LocalDate;
  /** Absent: the whole clinic is closed that day. */
  practitionerId?: string;
  reason?: string;
}

export interface ClinicPolicy {
  timezone: string;
  /** Online bookings need this much notice (default 12 h). */
  minNoticeMinutes: number;
  /** How far ahead slots are offered (default 90 days). */
  horizonDays: number;
  /** Slots start on this grid (default 15 min). */
  slotStepMinutes: number;
  /** Patients may not reschedule or cancel later than this before the start. */
  changeCutoffHours: number;
  /** The reminder email goes this long before the session (default 24 h). */
  reminderHoursBefore: number;
  /**
   * A session this long past its end with no status change is treated as completed,
   * which starts its aftercare (default 120 min); null turns this off.
   */
  autoCompleteGraceMinutes: number | null;
  /**
   * Upcoming (confirmed, today or later) sessions one patient may hold; online
   * bookings past it are refused, staff may exceed it with a reason (default 4);
   * null: no cap.
   */
  maxFutureBookingsPerPatient: number | null;
  /** Aftercare and other plan emails go only inside these clinic-local hours (default 08:00–20:00). */
  sendingHours: SendingHours;
}

/** How patients reach the clinic: every email's footer and Reply-To, the pages, the `.ics` LOCATION. */
export interface ClinicContact {
  /** One line, as on an envelope: "1234 Sunset Blvd, Los Angeles, CA 90026". */
  address: string;
  /** As shown, e.g. "+1 323 555 0100"; dialled through `tel:` with its digits. */
  phone: string;
  email: string;
  /** A map of the address (https). */
  mapUrl?: string;
}

export interface Clinic {
  locationId: string;
  name: string;
  /** Optional in the schema so that a catalog stored before it still reads. */
  contact?: ClinicContact;
  policy: ClinicPolicy;
}

/** `tel:+13235550100`: the number's digits, with its leading + kept. */
export function telHref(phone: string): string {
  return `tel:${phone.trim().startsWith("+") ? "+" : ""}${phone.replace(/\D/g, "")}`;
}

/** "call Face of Jules on +1 323 555 0100", or "call Face of Jules" for a clinic without a contact. */
export function callClinic(clinic: Pick<Clinic, "name" | "contact">): string {
  return clinic.contact ? `call ${clinic.name} on ${clinic.contact.phone}` : `call ${clinic.name}`;
}

export interface Catalog {
  clinic: Clinic;
  treatments: Treatment[];
  practitioners: Practitioner[];
  closures: Closure[];
}

/** The policy a clinic gets for what it does not set (the catalog schema applies it). */
export const DEFAULT_POLICY: Omit<ClinicPolicy, "timezone"> = {
  minNoticeMinutes: 12 * 60,
  horizonDays: 90,
  slotStepMinutes: 15,
  changeCutoffHours: 24,
  reminderHoursBefore: 24,
  autoCompleteGraceMinutes: 120,
  maxFutureBookingsPerPatient: 4,
  sendingHours: DEFAULT_SENDING_HOURS,
};

export function spacingRuleOf(t: Treatment) {
  return t.minIntervalDays === null
    ? null
    : {
        family: t.family,
        minIntervalDays: t.minIntervalDays,
        recommendedMaxDays: t.recommendedMaxDays ?? undefined,
      };
}
