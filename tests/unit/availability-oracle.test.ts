import { deepStrictEqual } from "node:assert/strict";
import fc from "fast-check";
import { Settings } from "luxon";
import { afterEach, describe, expect, it } from "vitest";
import { type BusyInterval, computeSlots, type SlotQuery } from "../../shared/domain/availability";
import { instantAt, localDateOf } from "../../shared/domain/calendar";
import {
  type Closure,
  DEFAULT_POLICY,
  type Practitioner,
  type TimeRange,
  type Treatment,
  type WeeklyHours,
} from "../../shared/domain/catalog";
import { oracleComputeSlots } from "../support/availability-oracle";
import { dayNumber, fromDayNumber } from "../support/dst-dates";

/**
 * The fast computeSlots against the one it replaced, on random clinics: both must
 * give the same slots, in the same order, field for field.
 */

const MIN_MS = 60_000;
const TREATMENT_ID = "t";

// Each zone with the days its offset changes (or any days, for the fixed ones).
const ZONES: { zone: string; anchors: string[] }[] = [
  { zone: "America/Los_Angeles", anchors: ["2026-03-08", "2026-11-01"] },
  // +10:30 in winter, +11:00 in summer: a 30-minute change at 02:00.
  { zone: "Australia/Lord_Howe", anchors: ["2026-04-05", "2026-10-04"] },
  { zone: "Asia/Kolkata", anchors: ["2026-06-01"] },
  { zone: "UTC", anchors: ["2026-06-01"] },
];

const pad = (n: number) => String(n).padStart(2, "0");

/** `HH:mm` mostly on the quarter hour, sometimes off it, with the night hours favoured. */
const clockMinutes = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 96 }).map((q) => q * 15) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 4 * 60 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 24 * 60 }) },
);
const clock = (minutes: number) =>
  minutes === 24 * 60 ? "24:00" : `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;

const range: fc.Arbitrary<TimeRange> = fc
  .tuple(clockMinutes, clockMinutes)
  .filter(([a, b]) => a !== b)
  .map(([a, b]) => ({ start: clock(Math.min(a, b)), end: clock(Math.max(a, b)) }));

const weekday = fc.option(fc.array(range, { maxLength: 3 }), { nil: undefined, freq: 4 });
const weeklyHours: fc.Arbitrary<WeeklyHours> = fc
  .tuple(weekday, weekday, weekday, weekday, weekday, weekday, weekday)
  .map((days) => {
    const hours: WeeklyHours = {};
    days.forEach((d, i) => {
      if (d !== undefined) hours[String(i + 1) as keyof WeeklyHours] = d;
    });
    return hours;
  });

const practitionerId = fc.constantFrom("ana", "ben", "cy", "dee", "b", "ana-2");

const practitioner: fc.Arbitrary<Practitioner> = fc.record({
  id: practitionerId,
  name: fc.constant("P"),
  weeklyHours,
  treatmentIds: fc.oneof(
    { weight: 5, arbitrary: fc.constant<string[]>([TREATMENT_ID]) },
    { weight: 1, arbitrary: fc.constant<string[]>(["other"]) },
  ),
});

const treatment: fc.Arbitrary<Treatment> = fc.record({
  id: fc.constant(TREATMENT_ID),
  name: fc.constant("T"),
  family: fc.constant("f"),
  durationMinutes: fc.integer({ min: 5, max: 240 }),
  bufferMinutes: fc.integer({ min: 0, max: 60 }),
  minIntervalDays: fc.constant(null),
  aftercare: fc.constant(false),
});

const query: fc.Arbitrary<SlotQuery> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    anchorPick: fc.nat(),
    fromShift: fc.integer({ min: -10, max: 3 }),
    span: fc.integer({ min: -1, max: 40 }),
    nowShiftMinutes: fc.integer({ min: -20 * 24 * 60, max: 3 * 24 * 60 }),
    nowMs: fc.integer({ min: 0, max: MIN_MS - 1 }),
    treatment,
    practitioners: fc.array(practitioner, { maxLength: 4 }),
    minNoticeMinutes: fc.integer({ min: 0, max: 3 * 24 * 60 }),
    horizonDays: fc.integer({ min: 1, max: 60 }),
    slotStepMinutes: fc.constantFrom(5, 10, 15, 20, 30, 60, 120),
    closures: fc.array(
      fc.record({
        day: fc.integer({ min: 0, max: 40 }),
        practitionerId: fc.option(practitionerId, { nil: undefined }),
      }),
      { maxLength: 4 },
    ),
    busy: fc.array(
      fc.record({
        practitionerId,
        dayMinute: fc.integer({ min: 0, max: 41 * 24 * 60 }),
        onGrid: fc.boolean(),
        minutes: fc.integer({ min: 1, max: 300 }),
      }),
      { maxLength: 60 },
    ),
  })
  .map((r) => {
    const anchor = r.zone.anchors[r.anchorPick % r.zone.anchors.length] as string;
    const fromDay = dayNumber(anchor) + r.fromShift;
    const from = fromDayNumber(fromDay);
    const zone = r.zone.zone;
    const start = instantAt(from, "00:00", zone).getTime();
    const now = new Date(start + r.nowShiftMinutes * MIN_MS + r.nowMs);
    const busy: BusyInterval[] = r.busy.map((b) => {
      const raw = start + b.dayMinute * MIN_MS;
      const at = b.onGrid ? Math.floor(raw / (15 * MIN_MS)) * 15 * MIN_MS : raw;
      return { practitionerId: b.practitionerId, start: at, end: at + b.minutes * MIN_MS };
    });
    const closures: Closure[] = r.closures.map((c) => ({
      date: fromDayNumber(fromDay + c.day),
      ...(c.practitionerId === undefined ? {} : { practitionerId: c.practitionerId }),
    }));
    return {
      treatment: r.treatment,
      practitioners: r.practitioners,
      closures,
      busy,
      from,
      to: fromDayNumber(fromDay + r.span),
      now,
      policy: {
        ...DEFAULT_POLICY,
        timezone: zone,
        minNoticeMinutes: r.minNoticeMinutes,
        horizonDays: r.horizonDays,
        slotStepMinutes: r.slotStepMinutes,
      },
    };
  });

/** luxon's own clock: it picks a first guess of the offset from it. */
const luxonNow = fc.integer({
  min: Date.parse("2025-01-01T00:00:00Z"),
  max: Date.parse("2027-12-31T00:00:00Z"),
});

// Both 2026 transition days are Sundays; these ranges are listed out of order.
const folding: Practitioner = {
  id: "ana",
  name: "Ana",
  weeklyHours: {
    "7": [
      { start: "03:00", end: "06:00" },
      { start: "00:00", end: "02:30" },
    ],
  },
  treatmentIds: [TREATMENT_ID],
};
const gapQuery: SlotQuery = {
  treatment: {
    id: TREATMENT_ID,
    name: "T",
    family: "f",
    durationMinutes: 15,
    bufferMinutes: 0,
    minIntervalDays: null,
    aftercare: false,
  },
  practitioners: [folding, { ...folding, id: "ab" }],
  closures: [],
  busy: [],
  from: "2026-03-08",
  to: "2026-03-08",
  now: new Date("2026-03-01T00:00:00Z"),
  policy: { ...DEFAULT_POLICY, timezone: "America/Los_Angeles" },
};

const originalNow = Settings.now;
afterEach(() => {
  Settings.now = originalNow;
});

describe("computeSlots matches the reference computation", () => {
  it("on random clinics, ranges across offset changes and random clocks", () => {
    let withSlots = 0;
    let onChangeDays = 0;
    fc.assert(
      fc.property(query, luxonNow, (q, luxonMs) => {
        Settings.now = () => luxonMs;
        const expected = oracleComputeSlots(q);
        deepStrictEqual(computeSlots(q), expected);
        if (expected.length > 0) withSlots++;
        const zone = q.policy.timezone;
        const changes = ZONES.find((z) => z.zone === zone && z.anchors.length > 1)?.anchors ?? [];
        if (expected.some((s) => changes.includes(localDateOf(s.start, zone)))) onChangeDays++;
      }),
      { numRuns: 400 },
    );
    // The comparison means something only if many cases offer slots, some on change days.
    expect(withSlots).toBeGreaterThan(150);
    expect(onChangeDays).toBeGreaterThan(20);
  });

  it("a spring-forward gap folding two ranges onto one hour gives the same duplicates", () => {
    // 02:30 does not exist on 2026-03-08 in Los Angeles and reads as 03:30 PDT,
    // while 03:00 is 03:00 PDT: the two ranges overlap for half an hour.
    const slots = computeSlots(gapQuery);
    deepStrictEqual(slots, oracleComputeSlots(gapQuery));
    const at10 = slots.filter((s) => s.start.toISOString() === "2026-03-08T10:00:00.000Z");
    expect(at10.map((s) => s.practitionerId)).toEqual(["ab", "ab", "ana", "ana"]);
  });

  it("throws as the reference does on a date that does not exist", () => {
    const bad: SlotQuery = {
      ...gapQuery,
      from: "2026-02-30",
      to: "2026-03-02",
      now: new Date("2026-02-01T00:00:00Z"),
    };
    expect(() => oracleComputeSlots(bad)).toThrow("Not a date: 2026-02-30");
    expect(() => computeSlots(bad)).toThrow("Not a date: 2026-02-30");
  });
});
