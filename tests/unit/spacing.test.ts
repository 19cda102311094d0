import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { demoClinic } from "../../local/demo-clinic";
import { daysBetween, localDateOf } from "../../shared/domain/calendar";
import { spacingRuleOf } from "../../shared/domain/catalog";
import {
  checkSpacing,
  decideSpacing,
  earliestAllowedDate,
  MIN_OVERRIDE_REASON_LENGTH,
  type PatientSession,
  type SessionStatus,
  type SpacingResult,
  type SpacingRule,
} from "../../shared/domain/spacing";
import { dayNumber, dstDate, fromDayNumber } from "../support/dst-dates";

const LA = "America/Los_Angeles";
const HOUR_MS = 3_600_000;

function demoRule(): SpacingRule {
  const treatment = demoClinic.treatments.find((t) => t.id === "microneedling-face");
  const rule = treatment && spacingRuleOf(treatment);
  if (!rule) throw new Error("the demo clinic lost its microneedling rule");
  return rule;
}
/** The demo clinic's rule: microneedling sessions at least 28 days apart. */
const RULE = demoRule();

const session = (
  bookingId: string,
  date: string,
  status: SessionStatus = "confirmed",
  family = "microneedling",
): PatientSession => ({ bookingId, date, family, status });

type Refusal = Extract<SpacingResult, { ok: false }>;
function refused(result: SpacingResult): Refusal {
  if (result.ok) throw new Error("expected a refusal, got ok");
  return result;
}

describe("the demo rule", () => {
  it("is 28 days for the microneedling family", () => {
    expect(RULE).toMatchObject({ family: "microneedling", minIntervalDays: 28 });
  });
});

describe("checkSpacing: table", () => {
  type Case = {
    name: string;
    sessions: PatientSession[];
    date: string;
    rule?: SpacingRule | null;
    excludeBookingId?: string;
    expected: SpacingResult;
  };
  const cases: Case[] = [
    {
      name: "no sessions at all",
      sessions: [],
      date: "2026-06-01",
      expected: { ok: true },
    },
    {
      name: "27 days after a session is refused",
      sessions: [session("b1", "2026-01-10")],
      date: "2026-02-06",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-01-10" },
        earliestAllowedDate: "2026-02-07",
      },
    },
    {
      name: "28 days after a session is accepted",
      sessions: [session("b1", "2026-01-10")],
      date: "2026-02-07",
      expected: { ok: true },
    },
    {
      name: "27 days before a session is refused; the next allowed date is after it",
      sessions: [session("b1", "2026-05-20")],
      date: "2026-04-23",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-05-20" },
        earliestAllowedDate: "2026-06-17",
      },
    },
    {
      name: "28 days before a session is accepted",
      sessions: [session("b1", "2026-05-20")],
      date: "2026-04-22",
      expected: { ok: true },
    },
    {
      name: "the same day as a session is refused",
      sessions: [session("b1", "2026-05-20")],
      date: "2026-05-20",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-05-20" },
        earliestAllowedDate: "2026-06-17",
      },
    },
    {
      name: "a completed session counts",
      sessions: [session("b1", "2026-01-10", "completed")],
      date: "2026-02-06",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-01-10" },
        earliestAllowedDate: "2026-02-07",
      },
    },
    {
      name: "a cancelled session does not count",
      sessions: [session("b1", "2026-01-10", "cancelled")],
      date: "2026-02-06",
      expected: { ok: true },
    },
    {
      name: "a no-show does not count",
      sessions: [session("b1", "2026-01-10", "no-show")],
      date: "2026-01-11",
      expected: { ok: true },
    },
    {
      name: "another family does not count",
      sessions: [session("b1", "2026-01-10", "completed", "led-facial")],
      date: "2026-01-10",
      expected: { ok: true },
    },
    {
      name: "a null rule always passes",
      sessions: [session("b1", "2026-01-10"), session("b2", "2026-01-11", "completed")],
      date: "2026-01-10",
      rule: null,
      expected: { ok: true },
    },
    {
      name: "a rule of another family ignores microneedling sessions",
      sessions: [session("b1", "2026-01-10")],
      date: "2026-01-12",
      rule: { family: "peel", minIntervalDays: 14 },
      expected: { ok: true },
    },
    {
      name: "a rescheduled booking does not conflict with itself",
      sessions: [session("b1", "2026-03-01")],
      date: "2026-03-05",
      excludeBookingId: "b1",
      expected: { ok: true },
    },
    {
      name: "the same move without excludeBookingId conflicts",
      sessions: [session("b1", "2026-03-01")],
      date: "2026-03-05",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-03-01" },
        earliestAllowedDate: "2026-03-29",
      },
    },
    {
      name: "excluding one booking still counts the others",
      sessions: [session("b1", "2026-03-01"), session("b2", "2026-02-10", "completed")],
      date: "2026-03-05",
      excludeBookingId: "b1",
      expected: {
        ok: false,
        conflict: { bookingId: "b2", date: "2026-02-10" },
        earliestAllowedDate: "2026-03-10",
      },
    },
    {
      name: "the nearest conflict is named (earlier session nearer)",
      sessions: [session("late", "2026-02-10"), session("early", "2026-01-01", "completed")],
      date: "2026-01-20",
      expected: {
        ok: false,
        conflict: { bookingId: "early", date: "2026-01-01" },
        earliestAllowedDate: "2026-03-10",
      },
    },
    {
      name: "the nearest conflict is named (later session nearer)",
      sessions: [session("early", "2026-01-01", "completed"), session("late", "2026-01-25")],
      date: "2026-01-20",
      expected: {
        ok: false,
        conflict: { bookingId: "late", date: "2026-01-25" },
        earliestAllowedDate: "2026-02-22",
      },
    },
    {
      name: "on a tie the earlier session is named (input later-first)",
      sessions: [session("after", "2026-01-30"), session("before", "2026-01-10", "completed")],
      date: "2026-01-20",
      expected: {
        ok: false,
        conflict: { bookingId: "before", date: "2026-01-10" },
        earliestAllowedDate: "2026-02-27",
      },
    },
    {
      name: "on a tie the earlier session is named (input earlier-first)",
      sessions: [session("before", "2026-01-10", "completed"), session("after", "2026-01-30")],
      date: "2026-01-20",
      expected: {
        ok: false,
        conflict: { bookingId: "before", date: "2026-01-10" },
        earliestAllowedDate: "2026-02-27",
      },
    },
    {
      name: "between two sessions: earliest and latest allowed dates",
      sessions: [session("b1", "2026-01-01", "completed"), session("b2", "2026-04-01")],
      date: "2026-01-15",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-01-01" },
        earliestAllowedDate: "2026-01-29",
        latestAllowedDate: "2026-03-04",
      },
    },
    {
      name: "between two sessions exactly 56 days apart: a one-day window",
      sessions: [session("b1", "2026-01-01", "completed"), session("b2", "2026-02-26")],
      date: "2026-01-10",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-01-01" },
        earliestAllowedDate: "2026-01-29",
        latestAllowedDate: "2026-01-29",
      },
    },
    {
      name: "a gap too small for a session: earliest after the later one, no latest",
      sessions: [session("b1", "2026-01-01", "completed"), session("b2", "2026-02-15")],
      date: "2026-01-20",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-01-01" },
        earliestAllowedDate: "2026-03-15",
      },
    },
    {
      name: "a gap of 55 days is one day too small",
      sessions: [session("b1", "2026-01-01", "completed"), session("b2", "2026-02-25")],
      date: "2026-01-29",
      expected: {
        ok: false,
        conflict: { bookingId: "b2", date: "2026-02-25" },
        earliestAllowedDate: "2026-03-25",
      },
    },
    {
      name: "a chain of sessions is jumped over to the first free date, bounded by the next",
      sessions: [
        session("b1", "2026-01-01", "completed"),
        session("b2", "2026-02-10"),
        session("b3", "2026-03-20"),
        session("b4", "2026-07-01"),
      ],
      date: "2026-01-15",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-01-01" },
        earliestAllowedDate: "2026-04-17",
        latestAllowedDate: "2026-06-03",
      },
    },
    // Across the 2026 Los Angeles transitions (calendar days, never 24-hour multiples).
    {
      name: "DST March: 2026-02-15 then 2026-03-15 (28 days) is accepted",
      sessions: [session("b1", "2026-02-15", "completed")],
      date: "2026-03-15",
      expected: { ok: true },
    },
    {
      name: "DST March: 2026-02-15 then 2026-03-14 (27 days) is refused",
      sessions: [session("b1", "2026-02-15", "completed")],
      date: "2026-03-14",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-02-15" },
        earliestAllowedDate: "2026-03-15",
      },
    },
    {
      name: "DST March: 2026-02-15 before a session on 2026-03-15 is accepted",
      sessions: [session("b1", "2026-03-15")],
      date: "2026-02-15",
      expected: { ok: true },
    },
    {
      name: "DST March: 2026-02-16 before a session on 2026-03-15 is refused",
      sessions: [session("b1", "2026-03-15")],
      date: "2026-02-16",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-03-15" },
        earliestAllowedDate: "2026-04-12",
      },
    },
    {
      name: "DST November: 2026-10-10 then 2026-11-07 (28 days) is accepted",
      sessions: [session("b1", "2026-10-10", "completed")],
      date: "2026-11-07",
      expected: { ok: true },
    },
    {
      name: "DST November: 2026-10-10 then 2026-11-06 (27 days) is refused",
      sessions: [session("b1", "2026-10-10", "completed")],
      date: "2026-11-06",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-10-10" },
        earliestAllowedDate: "2026-11-07",
      },
    },
    {
      name: "DST November: 2026-10-10 before a session on 2026-11-07 is accepted",
      sessions: [session("b1", "2026-11-07")],
      date: "2026-10-10",
      expected: { ok: true },
    },
    {
      name: "DST November: 2026-10-11 before a session on 2026-11-07 is refused",
      sessions: [session("b1", "2026-11-07")],
      date: "2026-10-11",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-11-07" },
        earliestAllowedDate: "2026-12-05",
      },
    },
    {
      name: "DST both: a window between sessions straddling both changes",
      sessions: [session("b1", "2026-02-20", "completed"), session("b2", "2026-11-20")],
      date: "2026-03-01",
      expected: {
        ok: false,
        conflict: { bookingId: "b1", date: "2026-02-20" },
        earliestAllowedDate: "2026-03-20",
        latestAllowedDate: "2026-10-23",
      },
    },
  ];

  it.each(cases)("$name", ({ sessions, date, rule, excludeBookingId, expected }) => {
    const result = checkSpacing({
      sessions,
      date,
      rule: rule === undefined ? RULE : rule,
      ...(excludeBookingId ? { excludeBookingId } : {}),
    });
    expect(result).toEqual(expected);
    // Also without the optional latestAllowedDate key when it is not expected.
    if (!expected.ok && expected.latestAllowedDate === undefined) {
      expect(result).not.toHaveProperty("latestAllowedDate");
    }
  });
});

describe("checkSpacing from real instants around the transitions", () => {
  /** A session at a UTC instant, dated by the clinic's local calendar. */
  const at = (bookingId: string, instant: string): PatientSession =>
    session(bookingId, localDateOf(instant, LA), "completed");
  const elapsedHours = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / HOUR_MS;

  it("November: 00:30 on 11-01 and 23:30 on 11-28 are 27 calendar days apart, refused, though 28×24 h elapsed", () => {
    const first = "2026-11-01T07:30:00Z"; // 00:30 PDT
    const second = "2026-11-29T07:30:00Z"; // 23:30 PST on 2026-11-28
    expect(localDateOf(first, LA)).toBe("2026-11-01");
    expect(localDateOf(second, LA)).toBe("2026-11-28");
    expect(elapsedHours(first, second)).toBeGreaterThan(27 * 24);
    expect(elapsedHours(first, second)).toBe(28 * 24); // a 24-hour-multiple rule would accept
    const result = refused(
      checkSpacing({ sessions: [at("b1", first)], date: localDateOf(second, LA), rule: RULE }),
    );
    expect(result.conflict).toEqual({ bookingId: "b1", date: "2026-11-01" });
    expect(result.earliestAllowedDate).toBe("2026-11-29");
  });

  it("November: the same pair seen from the later session (booked first) is refused too", () => {
    const result = refused(
      checkSpacing({
        sessions: [at("b2", "2026-11-29T07:30:00Z")],
        date: localDateOf("2026-11-01T07:30:00Z", LA),
        rule: RULE,
      }),
    );
    expect(result.conflict).toEqual({ bookingId: "b2", date: "2026-11-28" });
    expect(result.earliestAllowedDate).toBe("2026-12-26");
  });

  it("November: 23:30 on 10-10 and 00:30 on 11-07 are 28 calendar days apart, accepted, though under 28×24 h elapsed", () => {
    const first = "2026-10-11T06:30:00Z"; // 23:30 PDT on 2026-10-10
    const second = "2026-11-07T08:30:00Z"; // 00:30 PST
    expect(localDateOf(first, LA)).toBe("2026-10-10");
    expect(localDateOf(second, LA)).toBe("2026-11-07");
    expect(elapsedHours(first, second)).toBe(27 * 24 + 2);
    expect(
      checkSpacing({ sessions: [at("b1", first)], date: localDateOf(second, LA), rule: RULE }),
    ).toEqual({ ok: true });
  });

  it.each([
    ["00:30", "2026-02-20T08:30:00Z", "2026-03-20T07:30:00Z"],
    ["23:30", "2026-02-21T07:30:00Z", "2026-03-21T06:30:00Z"],
  ])(
    "March: %s local on 02-20 and on 03-20 are 28 days apart, accepted, with 28×24−1 h elapsed",
    (_time, first, second) => {
      expect(localDateOf(first, LA)).toBe("2026-02-20");
      expect(localDateOf(second, LA)).toBe("2026-03-20");
      expect(elapsedHours(first, second)).toBe(28 * 24 - 1); // a 24-hour-multiple rule would refuse
      expect(
        checkSpacing({ sessions: [at("b1", first)], date: localDateOf(second, LA), rule: RULE }),
      ).toEqual({ ok: true });
      expect(
        checkSpacing({ sessions: [at("b1", second)], date: localDateOf(first, LA), rule: RULE }),
      ).toEqual({ ok: true });
    },
  );

  it("March: 23:30 on 03-07 (PST) and 00:30 on 04-03 (PDT) are 27 days apart, refused", () => {
    const first = "2026-03-08T07:30:00Z"; // 23:30 PST on 2026-03-07
    const second = "2026-04-03T07:30:00Z"; // 00:30 PDT
    expect(localDateOf(first, LA)).toBe("2026-03-07");
    expect(localDateOf(second, LA)).toBe("2026-04-03");
    const result = refused(
      checkSpacing({ sessions: [at("b1", first)], date: localDateOf(second, LA), rule: RULE }),
    );
    expect(result.earliestAllowedDate).toBe("2026-04-04");
  });

  it("the next allowed date offered from a local 'today' taken from an instant near midnight", () => {
    const sessions = [at("b1", "2026-10-11T06:30:00Z")]; // 23:30 PDT on 2026-10-10
    // 23:30 PST on 2026-11-06 is already 2026-11-07 in UTC, but still the 6th in Los Angeles.
    const today = localDateOf("2026-11-07T07:30:00Z", LA);
    expect(today).toBe("2026-11-06");
    expect(earliestAllowedDate({ sessions, rule: RULE, today })).toBe("2026-11-07");
    expect(earliestAllowedDate({ sessions, rule: RULE, today: "2026-11-08" })).toBe("2026-11-08");
  });
});

describe("earliestAllowedDate: table", () => {
  it.each([
    {
      name: "no sessions: today",
      sessions: [],
      today: "2026-02-01",
      expected: "2026-02-01",
    },
    {
      name: "28 days after the last completed session",
      sessions: [session("b1", "2026-01-20", "completed")],
      today: "2026-02-01",
      expected: "2026-02-17",
    },
    {
      name: "today when the last session is long enough ago",
      sessions: [session("b1", "2025-12-01", "completed")],
      today: "2026-02-01",
      expected: "2026-02-01",
    },
    {
      name: "cancelled and no-show sessions are ignored",
      sessions: [session("b1", "2026-01-25", "cancelled"), session("b2", "2026-01-28", "no-show")],
      today: "2026-02-01",
      expected: "2026-02-01",
    },
    {
      name: "other families are ignored",
      sessions: [session("b1", "2026-01-30", "completed", "led-facial")],
      today: "2026-02-01",
      expected: "2026-02-01",
    },
    {
      name: "a future booked session is jumped over",
      sessions: [session("b1", "2026-01-01", "completed"), session("b2", "2026-02-05")],
      today: "2026-01-15",
      expected: "2026-03-05",
    },
    {
      name: "across the November change",
      sessions: [session("b1", "2026-10-10", "completed")],
      today: "2026-10-20",
      expected: "2026-11-07",
    },
  ])("$name", ({ sessions, today, expected }) => {
    expect(earliestAllowedDate({ sessions, rule: RULE, today })).toBe(expected);
  });

  it("a null rule: today", () => {
    expect(
      earliestAllowedDate({
        sessions: [session("b1", "2026-01-31", "completed")],
        rule: null,
        today: "2026-02-01",
      }),
    ).toBe("2026-02-01");
  });
});

describe("decideSpacing", () => {
  const refusal = checkSpacing({
    sessions: [session("b1", "2026-01-10", "completed")],
    date: "2026-02-01",
    rule: RULE,
  });
  const actor = "staff-42";

  it("the refusal used below is a refusal", () => {
    expect(refused(refusal).conflict.bookingId).toBe("b1");
  });

  it("a passing result is allowed and records no override even when one is given", () => {
    expect(decideSpacing({ ok: true })).toEqual({ allowed: true });
    expect(decideSpacing({ ok: true }, { actor, reason: "Patient asked for it again" })).toEqual({
      allowed: true,
    });
  });

  it("a refusal without an override stands", () => {
    expect(decideSpacing(refusal)).toEqual({ allowed: false, refusal });
  });

  it.each([
    "Patient is travelling for three months",
    "0123456789", // exactly the minimum
    "  0123456789  ",
  ])("an override with the reason %j allows and carries the conflict", (reason) => {
    expect(reason.trim().length).toBeGreaterThanOrEqual(MIN_OVERRIDE_REASON_LENGTH);
    expect(decideSpacing(refusal, { actor, reason })).toEqual({
      allowed: true,
      override: {
        actor,
        reason,
        conflict: { bookingId: "b1", date: "2026-01-10" },
        earliestAllowedDate: "2026-02-07",
      },
    });
  });

  it.each(["", "too short", "012345678", "          ", "  12345678  ", "\t\n  ok  \n\t"])(
    "an override with the reason %j does not allow",
    (reason) => {
      expect(MIN_OVERRIDE_REASON_LENGTH).toBe(10);
      expect(decideSpacing(refusal, { actor, reason })).toEqual({ allowed: false, refusal });
    },
  );
});

// ---------------------------------------------------------------------------
// Properties. Dates are concentrated around the two 2026 Los Angeles
// transitions, mixed with uniform dates in 2025–2027.
// ---------------------------------------------------------------------------

/** Sessions dated either anywhere (dstDate) or near the candidate, so that ties and same-day sessions occur. */
const sessionsArb = (candidate: string) =>
  fc
    .array(
      fc.record({
        date: fc.oneof(
          dstDate,
          fc
            .integer({ min: -35, max: 35 })
            .map((offset) => fromDayNumber(dayNumber(candidate) + offset)),
        ),
        family: fc.constantFrom("microneedling", "microneedling", "microneedling", "led-facial"),
        status: fc.constantFrom<SessionStatus>(
          "confirmed",
          "completed",
          "confirmed",
          "completed",
          "cancelled",
          "no-show",
        ),
      }),
      { maxLength: 6 },
    )
    .map((list) => list.map((s, i): PatientSession => ({ bookingId: `b${i}`, ...s })));

const ruleArb = fc
  .oneof(
    { weight: 3, arbitrary: fc.constant(28) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }) },
  )
  .map((min): SpacingRule => ({ family: "microneedling", minIntervalDays: min }));

const inputArb = dstDate.chain((date) =>
  fc.record({
    sessions: sessionsArb(date),
    date: fc.constant(date),
    rule: ruleArb,
    exclude: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  }),
);

type Input = {
  sessions: PatientSession[];
  date: string;
  rule: SpacingRule;
  exclude: number | undefined;
};

const excludeIdOf = (input: Input) =>
  input.exclude === undefined ? undefined : `b${input.exclude}`;

function check(input: Input, date = input.date, sessions = input.sessions) {
  const excludeBookingId = excludeIdOf(input);
  return checkSpacing({
    sessions,
    date,
    rule: input.rule,
    ...(excludeBookingId ? { excludeBookingId } : {}),
  });
}

/** The brute-force view: the sessions the rule counts. */
function counted(input: Input): PatientSession[] {
  const excluded = excludeIdOf(input);
  return input.sessions.filter(
    (s) =>
      s.family === input.rule.family &&
      s.bookingId !== excluded &&
      (s.status === "confirmed" || s.status === "completed"),
  );
}

/**
 * A fast, independent oracle for "is candidate + k allowed": plain day numbers
 * (UTC date arithmetic, no luxon), which calendar.test.ts checks agree with daysBetween.
 */
function allowedAtOffset(input: Input) {
  const min = input.rule.minIntervalDays;
  const offsets = counted(input).map((s) => dayNumber(s.date) - dayNumber(input.date));
  return {
    offsets,
    allowed: (k: number) => offsets.every((o) => Math.abs(o - k) >= min),
  };
}

/** The first j in [from, to) with pred(j), or -1. */
function firstOffset(from: number, to: number, pred: (j: number) => boolean): number {
  for (let j = from; j < to; j++) if (pred(j)) return j;
  return -1;
}

const RUNS = { numRuns: 10_000 };

describe("checkSpacing: properties", () => {
  it("(a) ok ⇔ every counted session is at least min days away (oracle: daysBetween)", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const min = input.rule.minIntervalDays;
        const expectedOk = counted(input).every(
          (s) => Math.abs(daysBetween(s.date, input.date)) >= min,
        );
        expect(check(input).ok).toBe(expectedOk);
      }),
      RUNS,
    );
  });

  it("(b) when refused, earliestAllowedDate is ≥ the candidate, allowed, and the first allowed date", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = check(input);
        // Reversed, so that the standalone function is also seen not to depend on order.
        const withoutExcluded = input.sessions
          .filter((s) => s.bookingId !== excludeIdOf(input))
          .reverse();
        if (result.ok) {
          // Nothing to wait for: the earliest date from the candidate is the candidate.
          expect(
            earliestAllowedDate({ sessions: withoutExcluded, rule: input.rule, today: input.date }),
          ).toBe(input.date);
          return;
        }
        const { allowed, offsets } = allowedAtOffset(input);
        const min = input.rule.minIntervalDays;
        const k = dayNumber(result.earliestAllowedDate) - dayNumber(input.date);
        expect(k).toBeGreaterThan(0);
        // Bounded: never further than past the last counted session.
        expect(k).toBeLessThanOrEqual(Math.max(...offsets) + min);
        // Allowed by the oracle, hence (by (a)) by checkSpacing itself.
        // (One expect per run: thousands of expect calls would dominate the runtime.)
        expect(firstOffset(0, k + 1, allowed)).toBe(k);
        // The standalone function agrees when asked from the candidate date.
        expect(
          earliestAllowedDate({ sessions: withoutExcluded, rule: input.rule, today: input.date }),
        ).toBe(result.earliestAllowedDate);
      }),
      RUNS,
    );
  });

  it("(c) latestAllowedDate, when present, is ≥ earliest, allowed throughout, and the day after is not", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = check(input);
        if (result.ok) return;
        const { allowed, offsets } = allowedAtOffset(input);
        const min = input.rule.minIntervalDays;
        const e = dayNumber(result.earliestAllowedDate) - dayNumber(input.date);
        const latest = result.latestAllowedDate;
        if (latest === undefined) {
          // Nothing bounds the window: every later date is allowed (checked up to past the last session).
          expect(offsets.every((o) => o < e)).toBe(true);
          const end = Math.max(e, ...offsets) + min;
          expect(firstOffset(e, end + 1, (j) => !allowed(j))).toBe(-1);
          return;
        }
        const l = dayNumber(latest) - dayNumber(input.date);
        expect(l).toBeGreaterThanOrEqual(e);
        expect(firstOffset(e, l + 2, (j) => !allowed(j))).toBe(l + 1);
      }),
      RUNS,
    );
  });

  it("(d) the conflict named is a counted session within min days, the nearest, the earlier on a tie", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = check(input);
        if (result.ok) return;
        const min = input.rule.minIntervalDays;
        const sessions = counted(input);
        const named = sessions.find((s) => s.bookingId === result.conflict.bookingId);
        expect(named).toBeDefined();
        expect(named?.date).toBe(result.conflict.date);
        const distance = (d: string) => Math.abs(dayNumber(d) - dayNumber(input.date));
        const nearest = Math.min(...sessions.map((s) => distance(s.date)));
        expect(distance(result.conflict.date)).toBeLessThan(min);
        expect(distance(result.conflict.date)).toBe(nearest);
        const earliestNearest = sessions
          .filter((s) => distance(s.date) === nearest)
          .map((s) => s.date)
          .sort()[0];
        expect(result.conflict.date).toBe(earliestNearest);
      }),
      RUNS,
    );
  });

  it("(e) results do not depend on the input order of sessions", () => {
    const shuffled = inputArb.chain((input) =>
      fc.tuple(
        fc.constant(input),
        fc.shuffledSubarray(input.sessions, {
          minLength: input.sessions.length,
          maxLength: input.sessions.length,
        }),
      ),
    );
    fc.assert(
      fc.property(shuffled, ([input, permuted]) => {
        // (earliestAllowedDate's independence of order is covered in (b), which feeds it reversed input.)
        expect(check(input, input.date, permuted)).toEqual(check(input));
      }),
      RUNS,
    );
  });
});
