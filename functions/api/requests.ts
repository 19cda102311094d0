import type { Actor } from "../../shared/domain/lifecycle";
import type { NewBooking, Reschedule } from "../../shared/services/bookings";
import type { AppDeps } from "./context";

/** From validated request bodies to the use cases' inputs, for public and staff routes alike. */

interface BookingBody {
  treatmentId: string;
  start: string;
  practitionerId?: string | undefined;
  patient: NewBooking["patient"];
  consent: NewBooking["consent"];
  override?: { reason: string } | undefined;
}

interface RescheduleBody {
  start: string;
  practitionerId?: string | undefined;
  override?: { reason: string } | undefined;
}

const optional = (body: {
  practitionerId?: string | undefined;
  override?: { reason: string } | undefined;
}) => ({
  ...(body.practitionerId ? { practitionerId: body.practitionerId } : {}),
  ...(body.override ? { overrideReason: body.override.reason } : {}),
});

export function newBooking(body: BookingBody, actor: Actor): NewBooking {
  return {
    treatmentId: body.treatmentId,
    start: new Date(body.start),
    patient: body.patient,
    consent: body.consent,
    actor,
    ...optional(body),
  };
}

export function reschedule(bookingId: string, body: RescheduleBody, actor: Actor): Reschedule {
  return { bookingId, start: new Date(body.start), actor, ...optional(body) };
}

/** The clinic's timezone (the catalog is cached, so this is not a round trip). */
export const clinicTimezone = (deps: AppDeps) => async () =>
  (await deps.bookings.catalogs.catalog(deps.bookings.locationId)).clinic.policy.timezone;
