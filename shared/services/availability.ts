import { computeSlots, type Slot } from "../domain/availability";
import { addDays, daysBetween, instantAt, type LocalDate, localDateOf } from "../domain/calendar";
import { spacingRuleOf } from "../domain/catalog";
import { DomainError } from "../domain/errors";
import { earliestAllowedDate } from "../domain/spacing";
import type { BookingDeps } from "./bookings";

export const MAX_RANGE_DAYS = 62;

export interface AvailabilityQuery {
  treatmentId: string;
  from: LocalDate;
  to: LocalDate;
  practitionerId?: string;
}

/** Free slots for a treatment: the catalog (cached) and one Query per practitioner. */
export async function listAvailability(
  deps: Pick<BookingDeps, "catalogs" | "reads" | "clock" | "locationId">,
  q: AvailabilityQuery,
): Promise<{ timezone: string; slots: Slot[] }> {
  const span = daysBetween(q.from, q.to);
  if (span < 0 || span > MAX_RANGE_DAYS) {
    throw new DomainError(
      "VALIDATION",
      `The range must run forward and span at most ${MAX_RANGE_DAYS} days.`,
      {
        issues: [
          {
            path: "to",
            message: `Must be on or after from and at most ${MAX_RANGE_DAYS} days later`,
          },
        ],
      },
    );
  }
  const catalog = await deps.catalogs.catalog(deps.locationId);
  const treatment = catalog.treatments.find((t) => t.id === q.treatmentId);
  if (!treatment) {
    throw new DomainError("VALIDATION", "Unknown treatment.", {
      issues: [{ path: "treatmentId", message: "No such treatment" }],
    });
  }
  const zone = catalog.clinic.policy.timezone;
  const practitioners = catalog.practitioners.filter(
    (p) =>
      p.treatmentIds.includes(treatment.id) &&
      (q.practitionerId === undefined || p.id === q.practitionerId),
  );
  const fromMs = instantAt(q.from, "00:00", zone).getTime();
  const toMs = instantAt(addDays(q.to, 1), "00:00", zone).getTime();
  const busy = (
    await Promise.all(
      practitioners.map((p) => deps.reads.busy(deps.locationId, p.id, fromMs, toMs)),
    )
  ).flat();
  const slots = computeSlots({
    treatment,
    practitioners,
    closures: catalog.closures,
    busy,
    from: q.from,
    to: q.to,
    now: deps.clock.now(),
    policy: catalog.clinic.policy,
  });
  return { timezone: zone, slots };
}

/** The first date a known patient may book the treatment (a rebooking link knows who). */
export async function earliestAllowedFor(
  deps: Pick<BookingDeps, "catalogs" | "reads" | "clock" | "locationId">,
  patientId: string,
  treatmentId: string,
): Promise<LocalDate> {
  const [catalog, patient] = await Promise.all([
    deps.catalogs.catalog(deps.locationId),
    deps.reads.patient(deps.locationId, patientId),
  ]);
  const treatment = catalog.treatments.find((t) => t.id === treatmentId);
  return earliestAllowedDate({
    sessions: patient?.sessions ?? [],
    rule: treatment ? spacingRuleOf(treatment) : null,
    today: localDateOf(deps.clock.now(), catalog.clinic.policy.timezone),
  });
}
