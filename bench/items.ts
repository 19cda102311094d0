import { randomUUID } from "node:crypto";
import { followUpItem, bookingItem as storeBookingItem } from "../shared/adapters/dynamodb/items";
import { keys } from "../shared/adapters/dynamodb/keys";
import { occupiedUntil, sessionEnd, slotLockInstants } from "../shared/domain/availability";
import type { Booking, BookingStatus } from "../shared/domain/booking";
import { localDateOf } from "../shared/domain/calendar";
import type { Catalog, Treatment } from "../shared/domain/catalog";
import { bookingFollowUps } from "../shared/domain/follow-ups";
import type { PatientSession } from "../shared/domain/spacing";
import type { PatientRecord } from "../shared/ports";
import { normaliseEmail, patientIdFor } from "../shared/services/bookings";

/**
 * Items in exactly the shapes the stores write (see adapters/dynamodb/items.ts and
 * the lock and patient Puts of booking-writes.ts), for the raw-floor measurement and
 * the bulk loader. Bookings and follow-ups use the stores' own builders.
 */
export type Item = Record<string, unknown>;

export const newId = () => randomUUID().replaceAll("-", "");

/** The store's own item shape. */
export const bookingItem = (b: Booking): Item => storeBookingItem(b);

/** The follow-ups the store writes with a new booking (confirmation, reminder, …). */
export function followUpItems(
  b: Booking,
  catalog: Catalog,
  treatment: Treatment,
  now: Date,
): Item[] {
  const followUps = bookingFollowUps(
    { ...b, treatmentName: treatment.name },
    catalog.clinic.policy,
    now,
  );
  return followUps.map(followUpItem);
}

export function lockItem(b: Booking, instant: string): Item {
  return {
    ...keys.lock(b.locationId, b.practitionerId, instant),
    type: "lock",
    bookingId: b.id,
    expiresAt: Math.floor(Date.parse(instant) / 1000) + 86_400,
  };
}

export function patientItem(p: PatientRecord): Item {
  return { ...keys.patient(p.locationId, p.id), type: "patient", ...p };
}

export interface SyntheticPatient {
  name: string;
  email: string;
  phone?: string;
}

/** A booking as `createBooking` builds it (online, confirmed unless told otherwise). */
export function makeBooking(o: {
  catalog: Catalog;
  treatment: Treatment;
  practitionerId: string;
  start: Date;
  patient: SyntheticPatient;
  status?: BookingStatus;
  createdAt: Date;
}): Booking {
  const { catalog, treatment } = o;
  const policy = catalog.clinic.policy;
  const locationId = catalog.clinic.locationId;
  const blockedUntil = occupiedUntil(o.start, treatment);
  const status = o.status ?? "confirmed";
  const at = o.createdAt.toISOString();
  return {
    id: newId(),
    locationId,
    treatmentId: treatment.id,
    family: treatment.family,
    practitionerId: o.practitionerId,
    start: o.start.toISOString(),
    end: sessionEnd(o.start, treatment).toISOString(),
    blockedUntil: blockedUntil.toISOString(),
    date: localDateOf(o.start, policy.timezone),
    status,
    patientId: patientIdFor(locationId, o.patient.email),
    patient: o.patient,
    consent: { aftercareEmails: true },
    source: "online",
    locks:
      status === "confirmed" ? slotLockInstants(o.start, blockedUntil, policy.slotStepMinutes) : [],
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

/** The patient record after these bookings (one session each), as the store keeps it. */
export function makePatient(
  catalog: Catalog,
  patient: SyntheticPatient,
  bookings: readonly Booking[],
): PatientRecord {
  const locationId = catalog.clinic.locationId;
  const sessions: PatientSession[] = bookings
    .map((b) => ({ bookingId: b.id, date: b.date, family: b.family, status: b.status }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return {
    id: patientIdFor(locationId, patient.email),
    locationId,
    name: patient.name,
    email: normaliseEmail(patient.email),
    ...(patient.phone ? { phone: patient.phone } : {}),
    sessions,
    version: bookings.length,
  };
}
