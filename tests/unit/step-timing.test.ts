import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadDefaultPlanSteps } from "../../shared/aftercare/plan-schema";
import type { PlanStep } from "../../shared/domain/aftercare-plan";
import { localDateOf, toLocalIso } from "../../shared/domain/calendar";
import {
  latestSendingInstant,
  nextSendingInstant,
  stepArrivals,
} from "../../shared/domain/step-timing";

const LA = "America/Los_Angeles";
const policy = { timezone: LA, sendingHours: { start: "08:00", end: "20:00" } };
const HOUR = 3_600_000;
const aftercare = loadDefaultPlanSteps().filter((s) => s.kind !== "no-show");

const step = (id: string, timing: Partial<PlanStep>): PlanStep => ({
  id,
  kind: "aftercare",
  offsetDays: 0,
  sendAt: null,
  subject: id,
  sections: [{ heading: "h", paragraphs: ["p"] }],
  ...timing,
});

/** The default plan's arrivals for a session, as clinic-local times by step id. */
function arrivals(end: string, markedAt = end, steps = aftercare) {
  const out = stepArrivals(
    steps,
    { date: end.slice(0, 10), end: new Date(end) },
    new Date(markedAt),
    policy,
  );
  return Object.fromEntries(steps.map((s, i) => [s.id, toLocalIso(out[i] as Date, LA)]));
}

describe("when each step's email arrives", () => {
  it("a 10:00 session: the plan when it is marked, day 2 and day 3 as their windows open", () => {
    // Tue 8 Dec 2026, 10:00 to 11:00, marked completed at 11:05.
    expect(arrivals("2026-12-08T11:00:00-08:00", "2026-12-08T11:05:00-08:00")).toEqual({
      plan: "2026-12-08T11:05:00-08:00",
      "day-2": "2026-12-09T11:00:00-08:00", // hour 24: "Day 2 (24–48 hours)" opens
      "day-3": "2026-12-10T11:00:00-08:00", // hour 48
      "week-1": "2026-12-15T09:00:00-08:00",
      "week-2": "2026-12-22T09:00:00-08:00",
      "weeks-3-4": "2026-12-29T09:00:00-08:00",
      "day-28": "2027-01-05T10:00:00-08:00",
      "day-42": "2027-01-19T10:00:00-08:00",
    });
  });

  it("a window that opens at night gets its email the evening before, inside sending hours", () => {
    // Ends 20:45: day 2's window opens at 20:45 the next day, after sending hours.
    const a = arrivals("2026-12-08T20:45:00-08:00", "2026-12-08T20:50:00-08:00");
    expect(a["day-2"]).toBe("2026-12-09T20:00:00-08:00");
    expect(a["day-3"]).toBe("2026-12-10T20:00:00-08:00");
    // …and the plan, marked at night, goes at 08:00.
    expect(a.plan).toBe("2026-12-09T08:00:00-08:00");
  });

  it("crosses both 2026 changes in Los Angeles in elapsed hours, at the same local hour otherwise", () => {
    // Sat 7 Mar 10:00–11:00 PST: hour 24 is Sun 8 Mar 12:00 PDT (the night lost an hour).
    const march = arrivals("2026-03-07T11:00:00-08:00");
    expect(march["day-2"]).toBe("2026-03-08T12:00:00-07:00");
    expect(march["day-3"]).toBe("2026-03-09T12:00:00-07:00");
    expect(march["week-1"]).toBe("2026-03-14T09:00:00-07:00");
    // Sat 31 Oct 10:00–11:00 PDT: hour 24 is Sun 1 Nov 10:00 PST (the night gained one).
    const november = arrivals("2026-10-31T11:00:00-07:00");
    expect(november["day-2"]).toBe("2026-11-01T10:00:00-08:00");
    expect(november["week-1"]).toBe("2026-11-07T09:00:00-08:00");
  });

  it("an outcome marked late sends what is due at once, an hour apart, inside sending hours", () => {
    // Session on 8 Dec, marked completed on the 10th at 19:30: plan, day 2 and day 3 are due.
    const a = arrivals("2026-12-08T11:00:00-08:00", "2026-12-10T19:30:00-08:00");
    expect([a.plan, a["day-2"], a["day-3"]]).toEqual([
      "2026-12-10T19:30:00-08:00",
      "2026-12-11T08:00:00-08:00", // 20:30 is past sending hours
      "2026-12-11T09:00:00-08:00",
    ]);
    expect(a["week-1"]).toBe("2026-12-15T09:00:00-08:00");
  });

  it("two steps due in the same hour arrive an hour apart, in the plan's order on a tie", () => {
    const steps = [
      step("b", { offsetDays: 1, sendAt: "09:00" }),
      step("a", { offsetDays: 1, sendAt: "09:30" }),
      step("c", { offsetDays: 1, sendAt: "09:00" }),
    ];
    expect(arrivals("2026-12-08T11:00:00-08:00", undefined, steps)).toEqual({
      b: "2026-12-09T09:00:00-08:00",
      c: "2026-12-09T10:00:00-08:00",
      a: "2026-12-09T11:00:00-08:00",
    });
  });

  it("a step at a local time outside sending hours goes at the next opening", () => {
    const steps = [step("night", { offsetDays: 1, sendAt: "23:00" })];
    expect(arrivals("2026-12-08T11:00:00-08:00", undefined, steps).night).toBe(
      "2026-12-10T08:00:00-08:00",
    );
  });

  it("for any session and outcome: inside sending hours, never before the outcome, an hour apart, windows not missed", () => {
    const start = Date.parse("2026-01-01T00:00:00Z");
    const span = Date.parse("2027-01-01T00:00:00Z") - start;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: span }),
        fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 4 * 24 * 60 })),
        (endOffset, lateMinutes) => {
          const end = new Date(start + endOffset);
          const marked = new Date(end.getTime() + lateMinutes * 60_000);
          const at = stepArrivals(
            aftercare,
            { date: localDateOf(end, LA), end },
            marked,
            policy,
          ).map((d) => d.getTime());
          const sorted = [...at].sort((x, y) => x - y);
          sorted.forEach((t, i) => {
            expect(nextSendingInstant(t, policy)).toBe(t); // inside sending hours
            expect(t).toBeGreaterThanOrEqual(marked.getTime());
            if (i > 0) expect(t - (sorted[i - 1] as number)).toBeGreaterThanOrEqual(HOUR);
          });
          aftercare.forEach((s, i) => {
            if (s.offsetHours === undefined) return;
            const opens = end.getTime() + s.offsetHours * HOUR;
            // Marked within the auto-completion's two hours: the email comes at or
            // before its window opens, at the last sending instant before it.
            // (Marked later, a plan email held overnight may push it an hour on.)
            if (lateMinutes <= 120) {
              expect(at[i]).toBeLessThanOrEqual(opens);
              expect(at[i]).toBe(latestSendingInstant(opens, policy));
            }
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
