import { benchCatalog } from "./catalog";

/**
 * What the load benchmark checks in the table afterwards: no practitioner holds two
 * overlapping bookings, no patient two sessions of a family closer than its rule
 * without an override. Each check proves it can fail before it is trusted.
 */

export const DAY_MS = 86_400_000;

/** A booking item as the table stores it, the fields the checks read. */
export type StoredBooking = {
  id: string;
  practitionerId: string;
  start: string;
  blockedUntil: string;
  status: string;
  patientId: string;
  date: string;
  family: string;
  override?: unknown;
};

export function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) out.set(key(x), [...(out.get(key(x)) ?? []), x]);
  return out;
}

/** Pairs of one practitioner's active bookings whose blocked times overlap. */
export function findDoubleBookings(active: readonly StoredBooking[]) {
  const found: { practitionerId: string; a: string; b: string }[] = [];
  for (const [practitionerId, list] of groupBy(active, (b) => b.practitionerId)) {
    const sorted = [...list].sort((x, y) => Date.parse(x.start) - Date.parse(y.start));
    // Sorted by start, any overlap shows between neighbours or against the latest end so far.
    let last: StoredBooking | undefined;
    for (const cur of sorted) {
      if (last && Date.parse(cur.start) < Date.parse(last.blockedUntil)) {
        found.push({ practitionerId, a: last.id, b: cur.id });
      }
      if (!last || Date.parse(cur.blockedUntil) > Date.parse(last.blockedUntil)) last = cur;
    }
  }
  return found;
}

/** Pairs of one patient's active sessions of a family closer than its rule, neither overridden. */
export function findSpacingViolations(active: readonly StoredBooking[]) {
  const minDays = new Map(benchCatalog.treatments.map((t) => [t.family, t.minIntervalDays]));
  const found: { patientId: string; a: string; b: string; days: number }[] = [];
  for (const list of groupBy(active, (b) => `${b.patientId}|${b.family}`).values()) {
    const min = minDays.get(list[0]?.family ?? "") ?? null;
    if (min === null) continue;
    for (const [i, a] of list.entries()) {
      for (const b of list.slice(i + 1)) {
        if (a.override || b.override) continue;
        const days = Math.abs(
          (Date.parse(`${b.date}T00:00:00Z`) - Date.parse(`${a.date}T00:00:00Z`)) / DAY_MS,
        );
        if (days < min) found.push({ patientId: a.patientId, a: a.id, b: b.id, days });
      }
    }
  }
  return found;
}

/** The checks must be able to fail: each flags a planted violation, and only that. */
export function selfTestChecks() {
  const base: StoredBooking = {
    id: "a",
    practitionerId: "p",
    start: "2026-12-01T17:00:00Z",
    blockedUntil: "2026-12-01T18:15:00Z",
    status: "confirmed",
    patientId: "x",
    date: "2026-12-01",
    family: "microneedling",
  };
  const overlapping = { ...base, id: "b", patientId: "y", start: "2026-12-01T18:00:00Z" };
  const adjacent = { ...base, id: "c", patientId: "z", start: "2026-12-01T18:15:00Z" };
  const tooSoon = { ...base, id: "d", practitionerId: "q", date: "2026-12-28" };
  const farEnough = { ...base, id: "e", practitionerId: "r", date: "2026-12-29" };
  const ok =
    findDoubleBookings([base, overlapping]).length === 1 &&
    findDoubleBookings([base, adjacent]).length === 0 &&
    findSpacingViolations([base, tooSoon]).length === 1 &&
    findSpacingViolations([base, farEnough]).length === 0 &&
    findSpacingViolations([base, { ...tooSoon, override: { reason: "r" } }]).length === 0;
  if (!ok) throw new Error("the double-booking and spacing checks failed their self-test");
}
