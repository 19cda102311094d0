import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bookingCapOf, decideBookingCap, upcomingSessions } from "../../shared/domain/booking-cap";
import type { PatientSession } from "../../shared/domain/spacing";

const session = (
  bookingId: string,
  date: string,
  status: PatientSession["status"] = "confirmed",
): PatientSession => ({ bookingId, date, status, family: "microneedling" });

const today = "2026-12-10";

describe("upcomingSessions", () => {
  it("counts confirmed sessions dated today or later, of any treatment", () => {
    const sessions = [
      session("past", "2026-12-09"),
      session("today", "2026-12-10"),
      session("later", "2027-01-20"),
      session("cancelled", "2026-12-20", "cancelled"),
      session("done", "2026-12-10", "completed"),
      { ...session("led", "2026-12-15"), family: "led-facial" },
    ];
    expect(upcomingSessions(sessions, today).map((s) => s.bookingId)).toEqual([
      "today",
      "later",
      "led",
    ]);
  });

  it("leaves out the booking being moved, so a reschedule does not count itself", () => {
    const sessions = [session("a", "2026-12-20"), session("b", "2026-12-21")];
    expect(upcomingSessions(sessions, today, "a").map((s) => s.bookingId)).toEqual(["b"]);
  });
});

describe("decideBookingCap", () => {
  const held = (n: number) => Array.from({ length: n }, (_, i) => session(`s${i}`, "2026-12-20"));
  const input = { today, max: 4, minReasonLength: 10 };

  it("allows while the patient holds fewer than the cap, refuses at it", () => {
    expect(decideBookingCap({ ...input, sessions: held(3) })).toEqual({ allowed: true });
    expect(decideBookingCap({ ...input, sessions: held(4) })).toEqual({
      allowed: false,
      held: 4,
      max: 4,
    });
  });

  it("past the cap only with a staff reason long enough, which is recorded", () => {
    const override = { actor: "staff-1", reason: "Course of four booked ahead" };
    expect(decideBookingCap({ ...input, sessions: held(4), override })).toEqual({
      allowed: true,
      exceededBy: { ...override, held: 4, max: 4 },
    });
    const short = { actor: "staff-1", reason: "  because  " };
    expect(decideBookingCap({ ...input, sessions: held(4), override: short }).allowed).toBe(false);
  });

  it("no cap when the clinic sets none", () => {
    expect(decideBookingCap({ ...input, max: null, sessions: held(40) })).toEqual({
      allowed: true,
    });
    expect(bookingCapOf({ maxFutureBookingsPerPatient: null })).toBeNull();
    expect(bookingCapOf({ maxFutureBookingsPerPatient: 2 })).toBe(2);
  });

  it("never lets a patient past the cap without an override, whatever their history", () => {
    const dates = fc
      .integer({ min: -60, max: 120 })
      .map((d) => new Date(Date.UTC(2026, 11, 10 + d)).toISOString().slice(0, 10));
    const statuses = fc.constantFrom<PatientSession["status"]>(
      "confirmed",
      "cancelled",
      "completed",
      "no-show",
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(dates, statuses), { maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        (history, max) => {
          const sessions = history.map(([d, s], i) => session(`b${i}`, d, s));
          const decision = decideBookingCap({ ...input, max, sessions });
          const upcoming = upcomingSessions(sessions, today).length;
          expect(decision.allowed).toBe(upcoming < max);
        },
      ),
      { numRuns: 500 },
    );
  });
});
