import { describe, expect, it } from "vitest";
import {
  decideTimeline,
  laterSessionBooked,
  supersedePending,
} from "../../shared/domain/aftercare-timeline";
import type { FollowUp, FollowUpStatus } from "../../shared/domain/follow-ups";
import type { PatientSession, SessionStatus } from "../../shared/domain/spacing";

const s = (
  bookingId: string,
  date: string,
  status: SessionStatus = "completed",
  family = "microneedling",
): PatientSession => ({ bookingId, date, family, status });

const b = { bookingId: "b", date: "2026-12-18", family: "microneedling" };

describe("decideTimeline: one aftercare timeline at a time per family", () => {
  it.each([
    ["no other session", [], null, null],
    ["an earlier completed session is stopped", [s("a", "2026-12-02")], null, "a"],
    [
      "only the latest earlier one (the older was stopped when that one completed)",
      [s("z", "2026-10-01"), s("a", "2026-12-02")],
      null,
      "a",
    ],
    ["a same-day session counts as earlier", [s("a", "2026-12-18")], null, "a"],
    [
      "earlier sessions not completed stop nothing",
      [s("a", "2026-12-02", "no-show"), s("c", "2026-12-10", "confirmed")],
      null,
      null,
    ],
    ["another family is left alone", [s("a", "2026-12-02", "completed", "peel")], null, null],
    [
      "a later completed session: this timeline starts superseded by the latest",
      [s("a", "2026-12-02"), s("c", "2027-01-20"), s("d", "2027-02-20")],
      "d",
      null,
    ],
    [
      "a later session only booked supersedes nothing",
      [s("c", "2027-01-20", "confirmed")],
      null,
      null,
    ],
    ["the session itself is not its own predecessor", [s("b", "2026-12-18")], null, null],
  ])("%s", (_, sessions, supersededBy, earlier) => {
    const d = decideTimeline(sessions as PatientSession[], b);
    expect(d.supersededBy?.bookingId ?? null).toBe(supersededBy);
    expect(d.earlier?.bookingId ?? null).toBe(earlier);
  });
});

describe("laterSessionBooked: the rebooking emails go only for the latest session", () => {
  const a = { bookingId: "a", date: "2026-12-02" };
  it.each([
    ["nothing later", [s("a", "2026-12-02")], null],
    ["a later confirmed session", [s("a", "2026-12-02"), s("b", "2027-01-12", "confirmed")], "b"],
    ["a later completed session", [s("a", "2026-12-02"), s("b", "2026-12-18")], "b"],
    ["a later session cancelled", [s("a", "2026-12-02"), s("b", "2027-01-12", "cancelled")], null],
    ["a later no-show", [s("a", "2026-12-02"), s("b", "2027-01-12", "no-show")], null],
    ["an earlier session", [s("z", "2026-10-01"), s("a", "2026-12-02")], null],
    [
      "a later session of another family",
      [s("a", "2026-12-02"), s("p", "2027-01-12", "confirmed", "peel")],
      null,
    ],
  ])("%s", (_, sessions, later) => {
    expect(laterSessionBooked(sessions as PatientSession[], a)?.bookingId ?? null).toBe(later);
  });

  it("takes the family given over the one on record", () => {
    const sessions = [s("a", "2026-12-02"), s("p", "2027-01-12", "confirmed", "peel")];
    expect(laterSessionBooked(sessions, { ...a, family: "peel" })?.bookingId).toBe("p");
  });
});

describe("supersedePending", () => {
  const f = (step: string, status: FollowUpStatus, kind: FollowUp["kind"] = "aftercare") =>
    ({ id: `a-${step}`, bookingId: "a", step, kind, status }) as FollowUp;
  const now = new Date("2026-12-18T18:45:00Z");

  it("stops only the pending aftercare steps, naming the newer session", () => {
    const out = supersedePending(
      [
        f("week-2", "sent"),
        f("weeks-3-4", "scheduled"),
        f("day-28", "scheduled"),
        f("day-3", "failed"),
        f("day-1", "sending"),
        f("reminder-1", "scheduled", "reminder"),
      ],
      { bookingId: "b", date: "2026-12-18" },
      now,
    );
    expect(out.map((x) => x.step)).toEqual(["weeks-3-4", "day-28"]);
    for (const x of out) {
      expect(x).toMatchObject({
        status: "superseded",
        supersededBy: { bookingId: "b", date: "2026-12-18" },
        updatedAt: now.toISOString(),
      });
    }
  });
});
