import { createHash } from "node:crypto";
import type { Booking } from "../../domain/booking";
import type {
  BookingReads,
  BookingWrites,
  CatalogSource,
  Clock,
  FollowUpScheduler,
  IdGenerator,
  PlanStore,
  SpacingNotices,
  StoredResponse,
} from "../../ports";

/**
 * The booking use cases: read, decide with the pure rules, write once.
 * A write that finds its reads stale (another request changed the patient or the
 * booking) is decided again from fresh reads, a bounded number of times.
 */

export interface BookingDeps {
  catalogs: CatalogSource;
  reads: BookingReads;
  writes: BookingWrites;
  /** The aftercare plan a completed session follows. */
  plans: PlanStore;
  /** Creates and removes the follow-ups' one-time schedules after each write. */
  scheduler?: FollowUpScheduler;
  /** Where a schedule that could not be synced is reported (ids only). */
  log?: { warn(message: string, fields?: Record<string, unknown>): void };
  clock: Clock;
  newId: IdGenerator;
  locationId: string;
  /** Emails a patient whose online booking the spacing rule refused. */
  notices?: SpacingNotices;
}

/** Passed by the HTTP layer: the response to store with the write, for replays. */
export interface IdempotencyIntent {
  key: string;
  requestHash: string;
  respond(booking: Booking): StoredResponse;
}

/** A patient is one normalised email at one location; the id reveals neither. */
export function patientIdFor(locationId: string, email: string): string {
  return createHash("sha256")
    .update(`${locationId}\n${normaliseEmail(email)}`)
    .digest("hex")
    .slice(0, 32);
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
