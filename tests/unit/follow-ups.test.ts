import { describe, expect, it } from "vitest";
import type { AftercarePlan, PlanStep } from "../../shared/domain/aftercare-plan";
import {
  aftercareFollowUps,
  bookingFollowUps,
  cancelPending,
  type FollowUp,
  type FollowUpStatus,
  isEmail,
  pendingRebookRefs,
  quotesSessions,
  stoppedBy,
} from "../../shared/domain/follow-ups";

const LA = "America/Los_Angeles";
const policy = {
  timezone: LA,
  reminderHoursBefore: 24,
  autoCompleteGraceMinutes: 120,
  sendingHours: { start: "08:00", end: "20:00" },
};

function booking(start: string, end: string, date: string, version = 1) {
  return {
    id: "b1",
    locationId: "face-of-jules",
    patientId: "p1",
    patient: { name: "Ana Ruiz", email: "ana@example.com" },
    treatmentId: "microneedling-face",
    treatmentName: "Microneedling, face",
    start,
    end,
    date,
    version,
  };
}

const step = (
  id: string,
  offsetDays: number,
  sendAt: string | null,
  kind: PlanStep["kind"] = "aftercare",
): PlanStep => ({
  id,
  kind,
  offsetDays,
  sendAt,
  subject: id,
  sections: [],
});
const plan = (steps: PlanStep[]): AftercarePlan => ({
  version: 3,
  steps,
  createdAt: "2026-01-01T00:00:00Z",
  createdBy: "seed",
});

const summary = (fs: FollowUp[]) => fs.map((f) => [f.step, f.kind, f.dueAt]);

describe("bookingFollowUps", () => {
  // Tue 8 Dec 2026, 10:00–11:00 PST (18:00Z–19:00Z).
  const b = booking("2026-12-08T18:00:00.000Z", "2026-12-08T19:00:00.000Z", "2026-12-08");

  it("confirmation now, reminder 24 h before, auto-completion 2 h after the end", () => {
    const now = new Date("2026-11-30T18:00:00Z");
    expect(summary(bookingFollowUps(b, policy, now))).toEqual([
      ["confirmation-1", "confirmation", "2026-11-30T18:00:00.000Z"],
      ["reminder-1", "reminder", "2026-12-07T18:00:00.000Z"],
      ["auto-complete-1", "auto-complete", "2026-12-08T21:00:00.000Z"],
    ]);
  });

  it("copies what the email needs from the booking, scheduled, never attempted", () => {
    const [confirmation] = bookingFollowUps(b, policy, new Date("2026-11-30T18:00:00Z"));
    expect(confirmation).toMatchObject({
      id: "b1-confirmation-1",
      bookingId: "b1",
      to: "ana@example.com",
      patientName: "Ana Ruiz",
      treatmentName: "Microneedling, face",
      bookingStart: b.start,
      bookingVersion: 1,
      status: "scheduled",
      attempts: 0,
    });
  });

  it("a booking made inside the reminder's lead gets no reminder (the confirmation says it all)", () => {
    const steps = bookingFollowUps(b, policy, new Date("2026-12-07T18:00:00Z")).map((f) => f.step);
    expect(steps).toEqual(["confirmation-1", "auto-complete-1"]);
  });

  it("steps carry the booking version, so a reschedule writes new rows beside the old", () => {
    const moved = { ...b, version: 2 };
    const steps = bookingFollowUps(moved, policy, new Date("2026-11-30T18:00:00Z")).map(
      (f) => f.id,
    );
    expect(steps).toEqual(["b1-confirmation-2", "b1-reminder-2", "b1-auto-complete-2"]);
  });

  it("no auto-completion when the clinic turns it off", () => {
    const off = { ...policy, autoCompleteGraceMinutes: null };
    const kinds = bookingFollowUps(b, off, new Date("2026-11-30T18:00:00Z")).map((f) => f.kind);
    expect(kinds).toEqual(["confirmation", "reminder"]);
  });

  it("a 48-hour reminder lead is 48 real hours, across the November change too", () => {
    // Mon 2 Nov 2026 10:00 PST; 48 h before is Sat 31 Oct 11:00 PDT.
    const afterChange = booking(
      "2026-11-02T18:00:00.000Z",
      "2026-11-02T19:00:00.000Z",
      "2026-11-02",
    );
    const [, reminder] = bookingFollowUps(
      afterChange,
      { ...policy, reminderHoursBefore: 48 },
      new Date("2026-10-20T18:00:00Z"),
    );
    expect(reminder?.dueAt).toBe("2026-10-31T18:00:00.000Z");
  });
});

describe("aftercareFollowUps", () => {
  const steps = [
    step("plan", 0, null),
    step("day-1", 1, "09:00"),
    step("day-28", 28, "10:00", "rebook"),
  ];

  it("each step on its clinic-local day and time, the full plan at once, with the plan version", () => {
    // Tue 8 Dec 2026 10:00 PST, completed at 13:00 PST.
    const b = booking("2026-12-08T18:00:00.000Z", "2026-12-08T19:00:00.000Z", "2026-12-08");
    const out = aftercareFollowUps(b, plan(steps), policy, new Date("2026-12-08T21:00:00Z"));
    expect(summary(out)).toEqual([
      ["plan", "aftercare", "2026-12-08T21:00:00.000Z"],
      ["day-1", "aftercare", "2026-12-09T17:00:00.000Z"],
      ["day-28", "aftercare", "2027-01-05T18:00:00.000Z"],
    ]);
    expect(out.every((f) => f.planVersion === 3 && f.planStep?.id === f.step)).toBe(true);
  });

  it("09:00 stays 09:00 local across the March change (never + n × 24 h)", () => {
    // Fri 6 Mar 2026 10:00 PST; day 3 is Mon 9 Mar, 09:00 PDT = 16:00Z.
    const b = booking("2026-03-06T18:00:00.000Z", "2026-03-06T19:00:00.000Z", "2026-03-06");
    const [, day3] = aftercareFollowUps(
      b,
      plan([step("plan", 0, null), step("day-3", 3, "09:00")]),
      policy,
      new Date("2026-03-06T21:00:00Z"),
    );
    expect(day3?.dueAt).toBe("2026-03-09T16:00:00.000Z");
  });

  it("…and across the November change", () => {
    // Fri 30 Oct 2026 10:00 PDT; day 3 is Mon 2 Nov, 09:00 PST = 17:00Z.
    const b = booking("2026-10-30T17:00:00.000Z", "2026-10-30T18:00:00.000Z", "2026-10-30");
    const [day3] = aftercareFollowUps(
      b,
      plan([step("day-3", 3, "09:00")]),
      policy,
      new Date("2026-10-30T20:00:00Z"),
    );
    expect(day3?.dueAt).toBe("2026-11-02T17:00:00.000Z");
  });

  it("a step whose time has passed when the session is completed late goes at once, an hour after the one before", () => {
    const b = booking("2026-12-08T18:00:00.000Z", "2026-12-08T19:00:00.000Z", "2026-12-08");
    const completedLate = new Date("2026-12-10T20:00:00Z");
    const out = aftercareFollowUps(b, plan(steps), policy, completedLate);
    expect(out.map((f) => f.dueAt)).toEqual([
      completedLate.toISOString(),
      "2026-12-10T21:00:00.000Z",
      "2027-01-05T18:00:00.000Z",
    ]);
  });
});

describe("cancelPending", () => {
  const now = new Date("2026-12-01T00:00:00Z");
  const f = (step: string, status: FollowUpStatus, kind: FollowUp["kind"] = "aftercare") =>
    ({ step, status, kind, updatedAt: "2026-11-30T00:00:00Z" }) as FollowUp;

  it("cancels only what is still scheduled, stamped with the time and the reason", () => {
    const out = cancelPending(
      [
        f("a", "scheduled"),
        f("b", "sent"),
        f("c", "sending"),
        f("d", "failed"),
        f("e", "scheduled"),
      ],
      now,
      { reason: "Session cancelled" },
    );
    expect(out.map((x) => [x.step, x.status, x.updatedAt, x.error])).toEqual([
      ["a", "cancelled", now.toISOString(), "Session cancelled"],
      ["e", "cancelled", now.toISOString(), "Session cancelled"],
    ]);
  });

  it("keeps to the follow-ups chosen, and adds no reason when none is given", () => {
    const out = cancelPending([f("a", "scheduled", "reminder"), f("b", "scheduled")], now, {
      only: (x) => x.kind === "aftercare",
    });
    expect(out.map((x) => x.step)).toEqual(["b"]);
    expect(out[0]).not.toHaveProperty("error");
  });
});

describe("what stops which email", () => {
  const kinds: FollowUp["kind"][] = ["confirmation", "reminder", "auto-complete", "aftercare"];

  it("the automatic completion is not an email; the rest are", () => {
    expect(kinds.map((kind) => isEmail({ kind }))).toEqual([true, true, false, true]);
  });

  it("a suppressed address stops every email; unsubscribing stops only the aftercare", () => {
    expect(kinds.map((kind) => stoppedBy("suppressed", { kind }))).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(kinds.map((kind) => stoppedBy("unsubscribed", { kind }))).toEqual([
      false,
      false,
      false,
      true,
    ]);
  });

  it("only the rebooking steps quote the patient's sessions", () => {
    const of = (kind: PlanStep["kind"]) =>
      quotesSessions({ planStep: step("x", 1, "09:00", kind) });
    expect([of("aftercare"), of("rebook"), of("last-reminder"), quotesSessions({})]).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });
});

describe("pendingRebookRefs", () => {
  it("keeps references due later or within the last day, drops older ones", () => {
    const now = new Date("2026-12-10T12:00:00Z");
    const refs = [
      { id: "future", dueAt: "2026-12-20T18:00:00Z" },
      { id: "hour-ago", dueAt: "2026-12-10T11:00:00Z" },
      { id: "two-days-ago", dueAt: "2026-12-08T12:00:00Z" },
    ];
    expect(pendingRebookRefs(refs, now).map((r) => r.id)).toEqual(["future", "hour-ago"]);
    expect(pendingRebookRefs(undefined, now)).toEqual([]);
  });
});
