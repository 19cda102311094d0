import type { Booking } from "../../shared/domain/booking";
import { toLocalIso } from "../../shared/domain/calendar";

/** What a patient (holder of the manage link) sees of a booking. */
export function publicBooking(b: Booking, timezone: string) {
  return {
    id: b.id,
    status: b.status,
    start: toLocalIso(new Date(b.start), timezone),
    end: toLocalIso(new Date(b.end), timezone),
    date: b.date,
    timezone,
    treatmentId: b.treatmentId,
    practitionerId: b.practitionerId,
  };
}

/** What staff see: the patient's contact, the source and any override. */
export function staffBooking(b: Booking, timezone: string) {
  return {
    ...publicBooking(b, timezone),
    patient: {
      name: b.patient.name,
      email: b.patient.email,
      ...(b.patient.phone ? { phone: b.patient.phone } : {}),
    },
    source: b.source,
    consent: b.consent,
    ...(b.override
      ? {
          override: {
            actor: b.override.actor,
            reason: b.override.reason,
            at: b.override.at,
            previousSession: { id: b.override.conflict.bookingId, date: b.override.conflict.date },
            earliestAllowedDate: b.override.earliestAllowedDate,
          },
        }
      : {}),
  };
}
