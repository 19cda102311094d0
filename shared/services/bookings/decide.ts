import { practitionersOffering } from "../../domain/availability";
import type { PatientContact } from "../../domain/booking";
import { bookingCapOf, decideBookingCap } from "../../domain/booking-cap";
import {
  type Catalog,
  type Clinic,
  type ClinicPolicy,
  callClinic,
  spacingRuleOf,
  type Treatment,
} from "../../domain/catalog";
import { DomainError } from "../../domain/errors";
import type { Actor } from "../../domain/lifecycle";
import {
  checkSpacing,
  decideSpacing,
  MIN_OVERRIDE_REASON_LENGTH,
  type PatientSession,
} from "../../domain/spacing";
import type { BookingDeps } from "./deps";

/** The decisions a booking or a move is refused by: treatment, hours, spacing, cap, a free slot. */

/** Staff may book at short notice and further ahead than the online horizon. */
function policyFor(actor: Actor, policy: ClinicPolicy): ClinicPolicy {
  return actor.kind === "staff"
    ? { ...policy, minNoticeMinutes: 0, horizonDays: Math.max(policy.horizonDays, 365) }
    : policy;
}

export function treatmentOf(catalog: Catalog, treatmentId: string): Treatment {
  const t = catalog.treatments.find((x) => x.id === treatmentId);
  if (!t) {
    throw new DomainError("VALIDATION", "Unknown treatment.", {
      issues: [{ path: "treatmentId", message: "No such treatment" }],
    });
  }
  return t;
}

/** Practitioners whose hours offer `start`; the requested one only, if named. */
export function candidatesFor(
  catalog: Catalog,
  treatment: Treatment,
  { start, practitionerId, actor }: { start: Date; practitionerId?: string; actor: Actor },
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

/**
 * The spacing decision of a booking or a move: allowed (perhaps by a staff
 * override), or refused, in which case an online patient is emailed when they can
 * book and the caller gets the refusal fit for who they are.
 */
export async function decideOrRefuse(
  deps: Pick<BookingDeps, "notices" | "locationId">,
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
export async function firstFree<T>(
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

/**
 * The cap on a patient's upcoming sessions, decided on the record the booking is
 * written against (so two racing bookings cannot both take the last place): online
 * callers are refused and learn only that the address holds the maximum; staff see
 * the figures and may go past it with their override reason.
 */
export function capOrRefuse(
  q: {
    actor: Actor;
    overrideReason: string | undefined;
    sessions: PatientSession[];
    today: string;
  },
  clinic: Clinic,
) {
  const { policy } = clinic;
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
        `This email address already holds the maximum number of upcoming sessions. To book more, please ${callClinic(clinic)}.`,
      );
}
