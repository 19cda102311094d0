import fc from "fast-check";

/**
 * Test oracles and generators for calendar dates, independent of luxon: day
 * numbers since the epoch (proleptic Gregorian, UTC) and dates concentrated
 * around the two 2026 Los Angeles transitions, mixed with uniform 2025–2027 dates.
 */
const DAY_MS = 86_400_000;

export function dayNumber(date: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

export const fromDayNumber = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);

export const dstDate = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom(dayNumber("2026-03-08"), dayNumber("2026-11-01")),
        fc.integer({ min: -60, max: 60 }),
      )
      .map(([anchor, offset]) => fromDayNumber(anchor + offset)),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: dayNumber("2025-01-01"), max: dayNumber("2027-12-31") })
      .map(fromDayNumber),
  },
);
