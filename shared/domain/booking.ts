import type { LocalDate } from "./calendar";
import type { SessionStatus, SpacingConflict } from "./spacing";

export type BookingStatus = SessionStatus;

export interface PatientContact {
  name: string;
  email: string;
  phone?: string;
}

export interface BookingOverride {
  actor: string;
  reason: string;
  at: string;
  conflict: SpacingConflict;
  earliestAllowedDate: LocalDate;
}

/** A session booked at one clinic. Instants are UTC ISO strings. */
export interface Booking {
  id: string;
  locationId: string;
  treatmentId: string;
  family: string;
  practitionerId: string;
  start: string;
  end: string;
  /** End of the practitioner's buffer after the session. */
  blockedUntil: string;
  /** Clinic-local date of the start. */
  date: LocalDate;
  status: BookingStatus;
  patientId: string;
  patient: PatientContact;
  consent: { aftercareEmails: boolean };
  source: "online" | "staff";
  override?: BookingOverride;
  /** Slot-lock instants the booking holds (empty once released). */
  locks: string[];
  createdAt: string;
  updatedAt: string;
  /** Bumped on every change; guards concurrent updates. */
  version: number;
}
