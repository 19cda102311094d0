import { createHash } from "node:crypto";
import {
  occupiedUntil,
  practitionersOffering,
  sessionEnd,
  slotLockInstants,
} from "../domain/availability";
import type { Booking, BookingOverride, BookingStatus, PatientContact } from "../domain/booking";
import { bookingCapOf, decideBookingCap } from "../domain/booking-cap";
import { localDateOf } from "../domain/calendar";
import { type Catalog, type ClinicPolicy, spacingRuleOf, type Treatment } from "../domain/catalog";
import { DomainError } from "../domain/errors";
import {
  aftercareFollowUps,
  bookingFollowUps,
  cancelPending,
  type FollowUp,
  isEmail,
  pendingRebookRefs,
  quotesSessions,
} from "../domain/follow-ups";
import { type Action, type Actor, transition } from "../domain/lifecycle";
import {
  checkSpacing,
  decideSpacing,
  MIN_OVERRIDE_REASON_LENGTH,
  type PatientSession,
} from "../domain/spacing";
import {
  type AuditEntry,
  type BookingStore,
  type Clock,
  type FollowUpScheduler,
  type IdempotencyRecord,
  type IdGenerator,
  type PatientRecord,
  type SpacingNotices,
  StaleReadError,
  type StoredResponse,
} from "../ports";

/**
 * The booking use cases: read, decide with the pure rules, write once.
 * A write that finds its reads stale (another request changed the patient or the
 * booking) is decided again from fresh reads, a bounded number of times.
 */

export interface BookingDeps {
  store: BookingStore;
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

const MAX_ATTEMPTS = 4;

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

async function withFreshReads<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StaleReadError)) throw error;
      if (i >= MAX_ATTEMPTS) {
        throw new DomainError(
          "CONFLICT_RETRY",
          "Too many changes at once; please try again.",
          {},
          {
            cause: error,
          },
        );
      }
    }
  }
}

/**
 * After a write commits: create or replace the schedule of each scheduled follow-up
 * and remove those of the ones that no longer go out. A failure here leaves the
 * follow-up `scheduled` in the table, where the due index still finds it.
 */
async function syncSchedules(
  deps: BookingDeps,
  change: { created?: FollowUp[]; cancelled?: FollowUp[] },
  timezone: string,
) {
  const { scheduler } = deps;
  if (!scheduler) return;
  const jobs = [
    ...(change.created ?? [])
      .filter((f) => f.status === "scheduled")
      .map((f) => ({ f, run: () => scheduler.schedule(f, timezone) })),
    ...(change.cancelled ?? []).map((f) => ({ f, run: () => scheduler.unschedule(f) })),
  ];
  await Promise.all(
    jobs.map(({ f, run }) =>
      run().catch((error: unknown) =>
        deps.log?.warn("schedule not synced", {
          followUpId: f.id,
          errorName: error instanceof Error ? error.name : "unknown",
        }),
      ),
    ),
  );
}

/** A suppressed address gets no email: its follow-ups are written as skipped, with why. */
function withoutEmailsFor(patient: PatientRecord | null, followUps: FollowUp[]): FollowUp[] {
  if (!patient?.suppressed) return followUps;
  const why = `Not sent: the address is suppressed (${patient.suppressed.reason}).`;
  return followUps.map((f) => (isEmail(f) ? { ...f, status: "skipped" as const, error: why } : f));
}

/** Staff may book at short notice and further ahead than the online horizon. */
function policyFor(actor: Actor, policy: ClinicPolicy): ClinicPolicy {
  return actor.kind === "staff"
    ? { ...policy, minNoticeMinutes: 0, horizonDays: Math.max(policy.horizonDays, 365) }
    : policy;
}

function treatmentOf(catalog: Catalog, treatmentId: string): Treatment {
  const t = catalog.treatments.find((x) => x.id === treatmentId);
  if (!t) {
    throw new DomainError("VALIDATION", "Unknown treatment.", {
      issues: [{ path: "treatmentId", message: "No such treatment" }],
    });
  }
  return t;
}

/** Practitioners whose hours offer `start`; the requested one only, if named. */
function candidatesFor(
  catalog: Catalog,
  treatment: Treatment,
  start: Date,
  practitionerId: string | undefined,
  actor: Actor,
  now: Date,
): string[] {
  const offering = practitionersOffering({
    treatment,
    practitioners: catalog.practitioners,
    closures: catalog.closures,
    now,
    policy: policyFor(actor, catalog.clinic.policy),
    start,
  });
  const candidates = practitionerId ? offering.filter((p) => p === practitionerId) : offering;
  if (candidates.length === 0) {
    throw new DomainError(
      "SLOT_UNAVAILABLE",
      "That time is not offered for this treatment. Please pick a time from the availability list.",
    );
  }
  return candidates;
}

function spacingRefusal(
  actor: Actor,
  refusal: {
    conflict: { bookingId: string; date: string };
    earliestAllowedDate: string;
    latestAllowedDate?: string;
  },
): DomainError {
  // An anonymous caller learns nothing about anyone's history; staff see why.
  if (actor.kind !== "staff") {
    return new DomainError(
      "SPACING_TOO_SOON",
      "This session can't be booked online yet. We have sent an email explaining when you can book.",
    );
  }
  return new DomainError("SPACING_TOO_SOON", "Too soon after the patient's other session.", {
    earliestAllowedDate: refusal.earliestAllowedDate,
    ...(refusal.latestAllowedDate ? { latestAllowedDate: refusal.latestAllowedDate } : {}),
    previousSession: { id: refusal.conflict.bookingId, date: refusal.conflict.date },
  });
}

function withSession(sessions: PatientSession[], s: PatientSession): PatientSession[] {
  return [...sessions.filter((x) => x.bookingId !== s.bookingId), s].sort((a, b) =>
    a.date < b.date ? -1 : a.date > b.date ? 1 : 0,
  );
}

function idempotencyRecord(
  intent: IdempotencyIntent | undefined,
  booking: Booking,
): IdempotencyRecord | undefined {
  return intent
    ? { key: intent.key, requestHash: intent.requestHash, response: intent.respond(booking) }
    : undefined;
}

/**
 * The spacing decision of a booking or a move: allowed (perhaps by a staff
 * override), or refused, in which case an online patient is emailed when they can
 * book and the caller gets the refusal fit for who they are.
 */
async function decideOrRefuse(
  deps: BookingDeps,
  q: {
    actor: Actor;
    overrideReason: string | undefined;
    sessions: PatientSession[];
    date: string;
    treatment: Treatment;
    excludeBookingId?: string;
    patientId: string;
    /** Whom the refusal email greets: the name on record, not what a caller typed. */
    patient: PatientContact;
    suppressed?: boolean;
  },
) {
  const decision = decideSpacing(
    checkSpacing({
      sessions: q.sessions,
      date: q.date,
      rule: spacingRuleOf(q.treatment),
      ...(q.excludeBookingId ? { excludeBookingId: q.excludeBookingId } : {}),
    }),
    q.actor.kind === "staff" && q.overrideReason
      ? { actor: q.actor.id, reason: q.overrideReason }
      : undefined,
  );
  if (decision.allowed) return decision;
  const { refusal } = decision;
  if (q.actor.kind === "patient" && deps.notices && !q.suppressed) {
    await deps.notices.refused({
      locationId: deps.locationId,
      patientId: q.patientId,
      patient: q.patient,
      treatmentName: q.treatment.name,
      requestedDate: q.date,
      earliestAllowedDate: refusal.earliestAllowedDate,
      ...(refusal.latestAllowedDate ? { latestAllowedDate: refusal.latestAllowedDate } : {}),
    });
  }
  throw spacingRefusal(q.actor, refusal);
}

/** Tries each practitioner in turn; another may still be free when one's slot was just taken. */
async function firstFree<T>(
  practitionerIds: string[],
  attempt: (id: string) => Promise<T>,
): Promise<T> {
  for (const [i, id] of practitionerIds.entries()) {
    try {
      return await attempt(id);
    } catch (error) {
      const taken = error instanceof DomainError && error.code === "SLOT_TAKEN";
      if (!taken || i === practitionerIds.length - 1) throw error;
    }
  }
  throw new DomainError("SLOT_TAKEN", "That time has just been booked. Please choose another.");
}

/** The audit entry of a spacing override, written in the booking's transaction. */
function overrideAudit(
  deps: BookingDeps,
  override: BookingOverride,
  bookingId: string,
  bookedDate: string,
): AuditEntry {
  return {
    id: deps.newId(),
    locationId: deps.locationId,
    at: override.at,
    actor: override.actor,
    action: "spacing-override",
    bookingId,
    reason: override.reason,
    details: {
      conflictBookingId: override.conflict.bookingId,
      conflictDate: override.conflict.date,
      earliestAllowedDate: override.earliestAllowedDate,
      bookedDate,
    },
  };
}

/**
 * The cap on a patient's upcoming sessions, decided on the record the booking is
 * written against (so two racing bookings cannot both take the last place): online
 * callers are refused and learn only that the address holds the maximum; staff see
 * the figures and may go past it with their override reason.
 */
function capOrRefuse(
  q: {
    actor: Actor;
    overrideReason: string | undefined;
    sessions: PatientSession[];
    today: string;
  },
  policy: ClinicPolicy,
) {
  const decision = decideBookingCap({
    sessions: q.sessions,
    today: q.today,
    max: bookingCapOf(policy),
    minReasonLength: MIN_OVERRIDE_REASON_LENGTH,
    ...(q.actor.kind === "staff" && q.overrideReason
      ? { override: { actor: q.actor.id, reason: q.overrideReason } }
      : {}),
  });
  if (decision.allowed) return decision;
  throw q.actor.kind === "staff"
    ? new DomainError(
        "TOO_MANY_FUTURE_BOOKINGS",
        "The patient already holds the maximum number of upcoming sessions; book with an override reason to go past it.",
        { upcomingSessions: decision.held, maxFutureBookings: decision.max },
      )
    : new DomainError(
        "TOO_MANY_FUTURE_BOOKINGS",
        "This email address already holds the maximum number of upcoming sessions. Please contact the clinic to book more.",
      );
}

/** The audit entry of a booking past the cap, unless the spacing override's entry carries it. */
function capAudit(
  deps: BookingDeps,
  exceeded: { actor: string; reason: string; held: number; max: number },
  at: string,
  bookingId: string,
  bookedDate: string,
): AuditEntry {
  return {
    id: deps.newId(),
    locationId: deps.locationId,
    at,
    actor: exceeded.actor,
    action: "booking-cap-override",
    bookingId,
    reason: exceeded.reason,
    details: capDetails(exceeded, bookedDate),
  };
}

const capDetails = (exceeded: { held: number; max: number }, bookedDate: string) => ({
  upcomingSessions: String(exceeded.held),
  maxFutureBookings: String(exceeded.max),
  bookedDate,
});

export interface NewBooking {
  treatmentId: string;
  start: Date;
  practitionerId?: string;
  patient: PatientContact;
  consent: { aftercareEmails: boolean };
  actor: Actor;
  /** Staff only: book despite the spacing rule, with a written reason. */
  overrideReason?: string;
}

export async function createBooking(
  deps: BookingDeps,
  input: NewBooking,
  idempotency?: IdempotencyIntent,
): Promise<Booking> {
  const { store, clock, locationId } = deps;
  const catalog = await store.catalog(locationId);
  const treatment = treatmentOf(catalog, input.treatmentId);
  const { policy } = catalog.clinic;
  const now = clock.now();
  const candidates = candidatesFor(
    catalog,
    treatment,
    input.start,
    input.practitionerId,
    input.actor,
    now,
  );
  const patientId = patientIdFor(locationId, input.patient.email);
  const date = localDateOf(input.start, policy.timezone);
  const bookingId = deps.newId();

  return withFreshReads(async () => {
    const record = await store.patient(locationId, patientId);
    const cap = capOrRefuse(
      {
        actor: input.actor,
        overrideReason: input.overrideReason,
        sessions: record?.sessions ?? [],
        today: localDateOf(now, policy.timezone),
      },
      policy,
    );
    const decision = await decideOrRefuse(deps, {
      actor: input.actor,
      overrideReason: input.overrideReason,
      sessions: record?.sessions ?? [],
      date,
      treatment,
      patientId,
      patient: record?.name ? { name: record.name, email: input.patient.email } : input.patient,
      suppressed: Boolean(record?.suppressed),
    });

    const at = now.toISOString();
    const blockedUntil = occupiedUntil(input.start, treatment);
    const patient: PatientRecord = {
      // Keep what the record knows (opt-out, suppression). Staff may update the contact
      // details; an online caller, who proves nothing, may not overwrite them.
      ...record,
      id: patientId,
      locationId,
      name: record?.name && input.actor.kind !== "staff" ? record.name : input.patient.name,
      email: normaliseEmail(input.patient.email),
      ...(input.patient.phone && (input.actor.kind === "staff" || !record?.phone)
        ? { phone: input.patient.phone }
        : {}),
      // Agreeing to aftercare emails on a new booking lifts an earlier unsubscribe.
      ...(input.consent.aftercareEmails ? { aftercareOptOut: false } : {}),
      sessions: withSession(record?.sessions ?? [], {
        bookingId,
        date,
        family: treatment.family,
        status: "confirmed",
      }),
      rebookFollowUps: pendingRebookRefs(record?.rebookFollowUps, now),
      version: (record?.version ?? 0) + 1,
    };
    const override = decision.override
      ? {
          actor: decision.override.actor,
          reason: decision.override.reason,
          at,
          conflict: decision.override.conflict,
          earliestAllowedDate: decision.override.earliestAllowedDate,
        }
      : undefined;
    const spacingAudit = override && overrideAudit(deps, override, bookingId, date);
    // One audit entry per booking: a spacing override's entry also notes the cap.
    const audit =
      spacingAudit && cap.exceededBy
        ? {
            ...spacingAudit,
            details: {
              ...spacingAudit.details,
              ...capDetails(cap.exceededBy, date),
              bookingCapExceeded: "true",
            },
          }
        : (spacingAudit ?? (cap.exceededBy && capAudit(deps, cap.exceededBy, at, bookingId, date)));

    return firstFree(candidates, async (practitionerId) => {
      const booking: Booking = {
        id: bookingId,
        locationId,
        treatmentId: treatment.id,
        family: treatment.family,
        practitionerId,
        start: input.start.toISOString(),
        end: sessionEnd(input.start, treatment).toISOString(),
        blockedUntil: blockedUntil.toISOString(),
        date,
        status: "confirmed",
        patientId,
        patient: { ...input.patient, email: input.patient.email.trim() },
        consent: input.consent,
        source: input.actor.kind === "staff" ? "staff" : "online",
        ...(override ? { override } : {}),
        locks: slotLockInstants(input.start, blockedUntil, policy.slotStepMinutes),
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      const followUps = withoutEmailsFor(
        record,
        bookingFollowUps({ ...booking, treatmentName: treatment.name }, policy, now),
      );
      await store.write({
        booking,
        patient,
        expectedPatientVersion: record ? record.version : null,
        followUps,
        ...(audit ? { audit } : {}),
        ...(idempotency ? { idempotency: idempotencyRecord(idempotency, booking) } : {}),
      });
      await syncSchedules(deps, { created: followUps }, policy.timezone);
      return booking;
    });
  });
}

async function loadBooking(deps: BookingDeps, bookingId: string): Promise<Booking> {
  const booking = await deps.store.booking(deps.locationId, bookingId);
  if (!booking) throw new DomainError("NOT_FOUND", "Booking not found.");
  return booking;
}

async function loadBookingWithFollowUps(deps: BookingDeps, bookingId: string) {
  const found = await deps.store.bookingWithFollowUps(deps.locationId, bookingId);
  if (!found) throw new DomainError("NOT_FOUND", "Booking not found.");
  return found;
}

async function loadPatient(deps: BookingDeps, booking: Booking): Promise<PatientRecord> {
  const record = await deps.store.patient(deps.locationId, booking.patientId);
  return (
    record ?? {
      id: booking.patientId,
      locationId: deps.locationId,
      name: booking.patient.name,
      email: normaliseEmail(booking.patient.email),
      sessions: [],
      version: 0,
    }
  );
}

export interface Reschedule {
  bookingId: string;
  start: Date;
  practitionerId?: string;
  actor: Actor;
  overrideReason?: string;
}

export async function rescheduleBooking(
  deps: BookingDeps,
  input: Reschedule,
  idempotency?: IdempotencyIntent,
): Promise<Booking> {
  const { store, clock, locationId } = deps;
  const catalog = await store.catalog(locationId);
  const { policy } = catalog.clinic;
  return withFreshReads(async () => {
    const now = clock.now();
    const { booking: previous, followUps: existing } = await loadBookingWithFollowUps(
      deps,
      input.bookingId,
    );
    transition(previous, "reschedule", {
      actor: input.actor,
      now,
      changeCutoffHours: policy.changeCutoffHours,
    });
    const treatment = treatmentOf(catalog, previous.treatmentId);
    const candidates = candidatesFor(
      catalog,
      treatment,
      input.start,
      input.practitionerId,
      input.actor,
      now,
    );
    const record = await loadPatient(deps, previous);
    const date = localDateOf(input.start, policy.timezone);
    const decision = await decideOrRefuse(deps, {
      actor: input.actor,
      overrideReason: input.overrideReason,
      sessions: record.sessions,
      date,
      treatment,
      excludeBookingId: previous.id,
      patientId: previous.patientId,
      patient: previous.patient,
      suppressed: Boolean(record.suppressed),
    });

    const at = now.toISOString();
    const blockedUntil = occupiedUntil(input.start, treatment);
    const override = decision.override ? { ...decision.override, at } : undefined;
    const patient: PatientRecord = {
      ...record,
      sessions: withSession(record.sessions, {
        bookingId: previous.id,
        date,
        family: treatment.family,
        status: "confirmed",
      }),
      rebookFollowUps: pendingRebookRefs(record.rebookFollowUps, now),
      version: record.version + 1,
    };
    // Prefer the practitioner the patient already had when they are free.
    const ordered = [
      ...candidates.filter((p) => p === previous.practitionerId),
      ...candidates.filter((p) => p !== previous.practitionerId),
    ];
    return firstFree(ordered, async (practitionerId) => {
      const { override: _dropped, ...rest } = previous;
      const booking: Booking = {
        ...rest,
        practitionerId,
        start: input.start.toISOString(),
        end: sessionEnd(input.start, treatment).toISOString(),
        blockedUntil: blockedUntil.toISOString(),
        date,
        ...(override ? { override } : previous.override ? { override: previous.override } : {}),
        locks: slotLockInstants(input.start, blockedUntil, policy.slotStepMinutes),
        updatedAt: at,
        version: previous.version + 1,
      };
      const followUps = withoutEmailsFor(
        record,
        bookingFollowUps({ ...booking, treatmentName: treatment.name }, policy, now),
      );
      const cancelledFollowUps = cancelPending(existing, now, { reason: "The booking was moved." });
      await store.write({
        booking,
        previous,
        patient,
        followUps,
        cancelledFollowUps,
        expectedPatientVersion: record.version === 0 ? null : record.version,
        ...(override ? { audit: overrideAudit(deps, override, booking.id, date) } : {}),
        ...(idempotency ? { idempotency: idempotencyRecord(idempotency, booking) } : {}),
      });
      await syncSchedules(
        deps,
        { created: followUps, cancelled: cancelledFollowUps },
        policy.timezone,
      );
      return booking;
    });
  });
}

export async function changeStatus(
  deps: BookingDeps,
  input: { bookingId: string; action: Exclude<Action, "reschedule">; actor: Actor },
  idempotency?: IdempotencyIntent,
): Promise<Booking> {
  const { store, clock, locationId } = deps;
  const catalog = await store.catalog(locationId);
  const { policy } = catalog.clinic;
  return withFreshReads(async () => {
    const now = clock.now();
    const { booking: previous, followUps: existing } = await loadBookingWithFollowUps(
      deps,
      input.bookingId,
    );
    const status: BookingStatus = transition(previous, input.action, {
      actor: input.actor,
      now,
      changeCutoffHours: policy.changeCutoffHours,
    });
    const record = await loadPatient(deps, previous);
    const booking: Booking = {
      ...previous,
      status,
      // A cancelled session frees the practitioner's time at once.
      locks: status === "cancelled" ? [] : previous.locks,
      updatedAt: now.toISOString(),
      version: previous.version + 1,
    };
    const patient: PatientRecord = {
      ...record,
      sessions:
        status === "cancelled"
          ? record.sessions.filter((s) => s.bookingId !== previous.id)
          : withSession(record.sessions, {
              bookingId: previous.id,
              date: previous.date,
              family: previous.family,
              status,
            }),
      version: record.version + 1,
    };
    // Every pending message of the booking stops; a completed session starts its aftercare.
    const cancelledFollowUps = cancelPending(existing, now, {
      reason: `The booking was marked ${status}.`,
    });
    const aftercare =
      status === "completed" ? await aftercareFor(deps, booking, record, catalog, now) : [];
    // The rebooking emails carry the patient's sessions, refreshed with each patient write.
    const followUps = aftercare.map((f) =>
      quotesSessions(f) ? { ...f, patientSessions: patient.sessions } : f,
    );
    patient.rebookFollowUps = [
      ...pendingRebookRefs(record.rebookFollowUps, now),
      ...followUps
        .filter(quotesSessions)
        .map((f) => ({ bookingId: f.bookingId, step: f.step, dueAt: f.dueAt })),
    ];
    await store.write({
      booking,
      previous,
      patient,
      followUps,
      cancelledFollowUps,
      expectedPatientVersion: record.version === 0 ? null : record.version,
      ...(idempotency ? { idempotency: idempotencyRecord(idempotency, booking) } : {}),
    });
    await syncSchedules(
      deps,
      { created: followUps, cancelled: cancelledFollowUps },
      policy.timezone,
    );
    return booking;
  });
}

/** The aftercare timeline under the current plan, if the patient wants it. */
async function aftercareFor(
  deps: BookingDeps,
  booking: Booking,
  patient: PatientRecord,
  catalog: Catalog,
  now: Date,
): Promise<FollowUp[]> {
  const treatment = treatmentOf(catalog, booking.treatmentId);
  if (
    !treatment.aftercare ||
    !booking.consent.aftercareEmails ||
    patient.aftercareOptOut ||
    patient.suppressed
  ) {
    return [];
  }
  const plan = await deps.store.currentPlan(deps.locationId);
  if (!plan) return [];
  return aftercareFollowUps(
    { ...booking, treatmentName: treatment.name },
    plan,
    catalog.clinic.policy,
    now,
  );
}

export async function getBooking(deps: BookingDeps, bookingId: string): Promise<Booking> {
  return loadBooking(deps, bookingId);
}
