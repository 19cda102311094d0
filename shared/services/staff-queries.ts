import type { Booking } from "../domain/booking";
import { notFound } from "../domain/errors";
import type { FollowUp } from "../domain/follow-ups";
import type { PatientRecord } from "../ports";
import { type BookingDeps, patientIdFor } from "./bookings";

/**
 * The staff's read queries, one definition for the JSON routes and the console's
 * pages: both answer the same question the same way, and both 404 the same way.
 */

type StaffReadDeps = Pick<BookingDeps, "reads" | "locationId">;

/** The patient holding this email at the clinic (any case, any spaces around it). */
export async function patientByEmail(
  deps: Pick<BookingDeps, "reads" | "locationId">,
  email: string,
): Promise<PatientRecord> {
  const record = await deps.reads.patient(deps.locationId, patientIdFor(deps.locationId, email));
  if (!record) throw notFound("No patient with that email.");
  return record;
}

/** A booking with every one of its follow-ups (one strongly consistent read). */
export async function bookingWithFollowUps(
  deps: StaffReadDeps,
  bookingId: string,
): Promise<{ booking: Booking; followUps: FollowUp[] }> {
  const found = await deps.reads.bookingWithFollowUps(deps.locationId, bookingId);
  if (!found) throw notFound("Booking not found.");
  return found;
}

export interface SentEmail {
  rendered: NonNullable<FollowUp["rendered"]>;
  messageId: string;
  sentAt?: string;
}

/** What was sent for one follow-up of a booking, as rendered; NOT_FOUND until it is sent. */
export async function sentEmail(
  deps: StaffReadDeps,
  bookingId: string,
  step: string,
): Promise<SentEmail> {
  const found = await deps.reads.bookingWithFollowUps(deps.locationId, bookingId);
  const f = found?.followUps.find((x) => x.step === step);
  if (!f?.rendered || !f.messageId) throw notFound("Nothing was sent for this.");
  return {
    rendered: f.rendered,
    messageId: f.messageId,
    ...(f.sentAt ? { sentAt: f.sentAt } : {}),
  };
}
