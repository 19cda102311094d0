import type { AftercarePlan } from "./domain/aftercare-plan";
import type { BusyInterval } from "./domain/availability";
import type { Booking } from "./domain/booking";
import type { Catalog } from "./domain/catalog";
import type { FollowUp, FollowUpStatus } from "./domain/follow-ups";
import type { PatientSession } from "./domain/spacing";

/** What the use cases need from the outside world. Adapters implement these. */

export interface Clock {
  now(): Date;
}

export type IdGenerator = () => string;

/** One record per patient and location: the spacing state, guarded by `version`. */
export interface PatientRecord {
  id: string;
  locationId: string;
  name: string;
  email: string;
  phone?: string;
  sessions: PatientSession[];
  /** The patient used the unsubscribe link: no more aftercare emails. */
  aftercareOptOut?: boolean;
  /** The address bounced or complained: no email at all. */
  suppressed?: { reason: string; at: string };
  /**
   * Pending follow-ups that quote the patient's sessions (the rebooking emails):
   * every write of this record refreshes their copy in the same transaction, so
   * the sender needs no extra read.
   */
  rebookFollowUps?: RebookRef[];
  version: number;
}

export interface RebookRef {
  bookingId: string;
  step: string;
  dueAt: string;
}

export interface AuditEntry {
  id: string;
  locationId: string;
  at: string;
  actor: string;
  action: "spacing-override" | "booking-cap-override";
  bookingId: string;
  reason: string;
  details: Record<string, string>;
}

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotencyRecord {
  key: string;
  requestHash: string;
  response: StoredResponse;
}

/** The rows one transaction writes together, or none of them. */
export interface BookingWrite {
  booking: Booking;
  /** The booking as read before this change; absent when creating it. */
  previous?: Booking;
  patient: PatientRecord;
  /** The patient version that was read; null when the record did not exist. */
  expectedPatientVersion: number | null;
  audit?: AuditEntry;
  idempotency?: IdempotencyRecord;
  /** New follow-ups of the change (each must not exist yet). */
  followUps?: FollowUp[];
  /**
   * Follow-ups the change stops (cancelled, or superseded by a newer session's timeline:
   * those are in their own bookings' partitions); each must still be pending, else the
   * change is decided again.
   */
  cancelledFollowUps?: FollowUp[];
}

/** A change to a patient's consent or deliverability, with the follow-ups it stops. */
export interface PatientWrite {
  patient: PatientRecord;
  expectedPatientVersion: number | null;
  cancelledFollowUps: FollowUp[];
}

/** The clinic's catalog (clinic, treatments, practitioners, closures), perhaps cached. */
export interface CatalogSource {
  catalog(locationId: string): Promise<Catalog>;
}

/** Strongly consistent reads of bookings and patients, and the staff's lists. */
export interface BookingReads {
  patient(locationId: string, patientId: string): Promise<PatientRecord | null>;
  booking(locationId: string, bookingId: string): Promise<Booking | null>;
  /** The booking and its follow-ups, strongly consistent, in one read. */
  bookingWithFollowUps(
    locationId: string,
    bookingId: string,
  ): Promise<{ booking: Booking; followUps: FollowUp[] } | null>;
  /** Intervals that block the practitioner, overlapping [fromMs, toMs). */
  busy(
    locationId: string,
    practitionerId: string,
    fromMs: number,
    toMs: number,
  ): Promise<BusyInterval[]>;
  schedule(locationId: string, date: string): Promise<Booking[]>;
  audit(locationId: string, fromIso: string, toIso: string): Promise<AuditEntry[]>;
  idempotency(locationId: string, key: string): Promise<IdempotencyRecord | null>;
}

/** The transactions that change bookings and patients. */
export interface BookingWrites {
  /**
   * Writes a booking change atomically: the booking, its slot locks, the patient's
   * spacing record (only if still at the version read), the audit entry and the
   * idempotency record. Throws SLOT_TAKEN, or StaleReadError when the patient or
   * booking changed since it was read, or IdempotencyRaceError.
   */
  write(change: BookingWrite): Promise<void>;
  writePatient(change: PatientWrite): Promise<void>;
}

/** The versions of a location's aftercare plan. */
export interface PlanStore {
  currentPlan(locationId: string): Promise<AftercarePlan | null>;
  /** Adds a plan version; throws StaleReadError if that version exists already. */
  savePlan(locationId: string, plan: AftercarePlan): Promise<void>;
}

export interface OnceMarkers {
  /** Claims a once-only marker (e.g. "this notice was sent today"); false if already claimed. */
  claimOnce(locationId: string, key: string, ttlSeconds: number): Promise<boolean>;
}

/**
 * How long a claim (`sending`) may stay unfinished before it counts as abandoned: the
 * process that made it died between the claim and recording the outcome. Far longer
 * than the follow-ups function may run (30 s), so a live claim never looks abandoned.
 */
export const FOLLOW_UP_CLAIM_LEASE_MS = 2 * 60_000;

/** What the follow-up sender and the local runner need. */
export interface FollowUpStore {
  /**
   * Atomically turns a due `scheduled` follow-up into `sending` and returns it;
   * null when it is not (any more) scheduled or not yet due: at-least-once
   * delivery then does nothing. The claim stays in the due index, due again when
   * its lease ends (claimedAt + FOLLOW_UP_CLAIM_LEASE_MS), so an abandoned one is
   * found and settled, never left `sending`.
   */
  claim(locationId: string, bookingId: string, step: string, now: Date): Promise<FollowUp | null>;
  get(locationId: string, bookingId: string, step: string): Promise<FollowUp | null>;
  /** Gives a claimed follow-up back (`scheduled`, due again) when nothing was sent. */
  release(claimed: FollowUp): Promise<void>;
  /**
   * Records the outcome of a claimed follow-up, only if this attempt still holds it;
   * false when a change to the booking replaced it meanwhile.
   */
  finish(
    claimed: FollowUp,
    outcome: {
      status: Exclude<FollowUpStatus, "scheduled" | "sending">;
      at: Date;
      messageId?: string;
      error?: string;
      rendered?: FollowUp["rendered"];
    },
  ): Promise<boolean>;
  /**
   * Follow-ups due at or before `asOf`, earliest first: scheduled ones at their due
   * time, claimed ones at the end of their lease (`dueAt` is then that instant).
   */
  due(
    locationId: string,
    asOf: Date,
    limit: number,
  ): Promise<{ bookingId: string; step: string; dueAt: string }[]>;
}

/** What a follow-up's one-time schedule delivers: which follow-up to send. */
export interface FollowUpEvent {
  locationId: string;
  bookingId: string;
  step: string;
}

/** One one-time schedule per follow-up (EventBridge Scheduler in AWS). */
export interface FollowUpScheduler {
  /** Creates or replaces the follow-up's schedule at its due instant. */
  schedule(followUp: FollowUp, timezone: string): Promise<void>;
  /** Removes it; a schedule already gone is fine. */
  unschedule(followUp: FollowUp): Promise<void>;
}

export interface OutgoingEmail {
  to: string;
  /** Where a reply goes: the clinic's own address (the From is a sending address). */
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** Why a send failed, as far as the caller can tell. */
export type MailFailure =
  /** Not accepted, and trying again may work (throttling, a 5xx before acceptance). */
  | "retryable"
  /** Not accepted and never will be (rejected message, unverified sender). */
  | "rejected"
  /** It may or may not have been accepted (a timeout after sending): never resend. */
  | "unknown";

export class MailError extends Error {
  override readonly name = "MailError";
  constructor(
    readonly failure: MailFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Sends a complete MIME message (SES SendRawEmail). */
export interface RawMailer {
  sendRaw(message: { to: string; raw: Uint8Array; tags: Record<string, string> }): Promise<{
    messageId: string;
  }>;
}

/** `csrf` binds a page form to the browser's random CSRF cookie. */
export type TokenPurpose = "manage" | "rebook" | "unsubscribe" | "csrf";

/** Signs the patients' links: a token is good for one purpose and one subject until it expires. */
export interface LinkSigner {
  sign(purpose: TokenPurpose, subject: string, expiresAt: Date): string;
}

/** Tells a patient why an online booking was refused, without telling the caller. */
export interface SpacingNotices {
  refused(input: {
    locationId: string;
    patientId: string;
    patient: { name: string; email: string };
    treatmentName: string;
    requestedDate: string;
    earliestAllowedDate: string;
    latestAllowedDate?: string;
  }): Promise<void>;
}

/** Something read before the write changed meanwhile: read again and decide again. */
export class StaleReadError extends Error {
  override readonly name = "StaleReadError";
}

/** Another request with the same idempotency key won the race. */
export class IdempotencyRaceError extends Error {
  override readonly name = "IdempotencyRaceError";
}
