import { occupiedUntil, sessionEnd, slotLockInstants } from "../../domain/availability";
import type { Booking, PatientContact } from "../../domain/booking";
import { localDateOf } from "../../domain/calendar";
import { bookingFollowUps, pendingRebookRefs } from "../../domain/follow-ups";
import type { Actor } from "../../domain/lifecycle";
import type { PatientRecord } from "../../ports";
import { withFreshReads } from "../retry";
import { candidatesFor, capOrRefuse, decideOrRefuse, firstFree, treatmentOf } from "./decide";
import { type BookingDeps, type IdempotencyIntent, normaliseEmail, patientIdFor } from "./deps";
import {
  capAudit,
  capDetails,
  overrideAudit,
  withoutEmailsFor,
  withSession,
  writeChange,
} from "./records";

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
  deps: Omit<BookingDeps, "plans">,
  input: NewBooking,
  idempotency?: IdempotencyIntent,
): Promise<Booking> {
  const { reads, clock, locationId } = deps;
  const catalog = await deps.catalogs.catalog(locationId);
  const treatment = treatmentOf(catalog, input.treatmentId);
  const { policy } = catalog.clinic;
  const now = clock.now();
  const candidates = candidatesFor(catalog, treatment, input, now);
  const patientId = patientIdFor(locationId, input.patient.email);
  const date = localDateOf(input.start, policy.timezone);
  const bookingId = deps.newId();

  return withFreshReads(async () => {
    const record = await reads.patient(locationId, patientId);
    const cap = capOrRefuse(
      {
        actor: input.actor,
        overrideReason: input.overrideReason,
        sessions: record?.sessions ?? [],
        today: localDateOf(now, policy.timezone),
      },
      catalog.clinic,
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
      return writeChange(
        deps,
        {
          booking,
          patient,
          expectedPatientVersion: record ? record.version : null,
          followUps,
          ...(audit ? { audit } : {}),
        },
        idempotency,
        policy.timezone,
      );
    });
  });
}
