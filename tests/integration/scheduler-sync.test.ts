import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  InternalServerException,
} from "@aws-sdk/client-scheduler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventBridgeFollowUpScheduler } from "../../shared/adapters/scheduler/eventbridge-scheduler";
import {
  type BookingDeps,
  changeStatus,
  createBooking,
  rescheduleBooking,
} from "../../shared/services/bookings";
import { runFollowUp } from "../../shared/services/follow-ups";
import { expectedInput, mockedScheduler, target } from "../support/scheduler-fixtures";
import { startTestApp, type TestApp } from "../support/test-app";

const { client, scheduler, inputs } = mockedScheduler();

/**
 * The booking use cases drive the scheduler after each write: the real store on
 * DynamoDB Local, the Scheduler client mocked.
 */
describe("booking use cases sync the schedules", () => {
  let app: TestApp;
  let deps: BookingDeps;
  const staff = { kind: "staff" as const, id: "staff-1" };

  beforeAll(async () => {
    app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
    deps = {
      ...app.deps.bookings,
      scheduler: new EventBridgeFollowUpScheduler(client, target, app.clock),
    };
  });
  afterAll(() => app.close());

  const byName = (a: { Name?: string }, b: { Name?: string }) =>
    (a.Name ?? "") < (b.Name ?? "") ? -1 : 1;
  const ids = (bookingId: string, step: string) => ({
    id: `${bookingId}-${step}`,
    locationId: "face-of-jules",
    bookingId,
    step,
  });

  async function book(email: string, start: string) {
    return createBooking(deps, {
      treatmentId: "microneedling-face",
      start: new Date(start),
      practitionerId: "jules",
      patient: { name: "Sky Ed", email },
      consent: { aftercareEmails: true },
      actor: staff,
    });
  }

  it("create, reschedule and cancel send exactly these commands", async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    scheduler.on(DeleteScheduleCommand).resolves({});
    app.clock.set("2026-11-30T18:00:00Z");
    const booking = await book("sched-1@example.com", "2026-12-08T10:00:00-08:00");
    const id = booking.id;

    // The confirmation is due now: one minute ahead (10:01 PST).
    expect(inputs(CreateScheduleCommand).sort(byName)).toEqual(
      [
        expectedInput(ids(id, "auto-complete-1"), "2026-12-08T13:00:00"),
        expectedInput(ids(id, "confirmation-1"), "2026-11-30T10:01:00"),
        expectedInput(ids(id, "reminder-1"), "2026-12-07T10:00:00"),
      ].sort(byName),
    );
    expect(inputs(DeleteScheduleCommand)).toEqual([]);

    scheduler.resetHistory();
    app.clock.set("2026-12-01T18:00:00Z");
    await rescheduleBooking(deps, {
      bookingId: id,
      start: new Date("2026-12-09T11:00:00-08:00"),
      actor: staff,
    });
    expect(inputs(CreateScheduleCommand).sort(byName)).toEqual(
      [
        expectedInput(ids(id, "auto-complete-2"), "2026-12-09T14:00:00"),
        expectedInput(ids(id, "confirmation-2"), "2026-12-01T10:01:00"),
        expectedInput(ids(id, "reminder-2"), "2026-12-08T11:00:00"),
      ].sort(byName),
    );
    expect(inputs(DeleteScheduleCommand).sort(byName)).toEqual(
      ["auto-complete-1", "confirmation-1", "reminder-1"].map((step) => ({
        Name: `fu-${id}-${step}`,
        GroupName: "clinic-followups",
      })),
    );

    scheduler.resetHistory();
    await changeStatus(deps, { bookingId: id, action: "cancel", actor: staff });
    expect(inputs(CreateScheduleCommand)).toEqual([]);
    expect(inputs(DeleteScheduleCommand).sort(byName)).toEqual(
      ["auto-complete-2", "confirmation-2", "reminder-2"].map((step) => ({
        Name: `fu-${id}-${step}`,
        GroupName: "clinic-followups",
      })),
    );
  });

  it("completing schedules the aftercare timeline and removes the pending schedules", async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    scheduler.on(DeleteScheduleCommand).resolves({});
    app.clock.set("2026-11-30T18:00:00Z");
    const booking = await book("sched-2@example.com", "2026-12-10T10:00:00-08:00");
    scheduler.resetHistory();
    app.clock.set("2026-12-10T18:30:00Z"); // 10:30 local
    await changeStatus(deps, { bookingId: booking.id, action: "complete", actor: staff });
    const creates = inputs(CreateScheduleCommand);
    const at = Object.fromEntries(
      creates.map((c) => [JSON.parse(c.Target?.Input ?? "{}").step, c.ScheduleExpression]),
    );
    expect(at).toEqual({
      plan: "at(2026-12-10T10:31:00)",
      // Hours 24 and 48 after the 11:00 end.
      "day-2": "at(2026-12-11T11:00:00)",
      "day-3": "at(2026-12-12T11:00:00)",
      "week-1": "at(2026-12-17T09:00:00)",
      "week-2": "at(2026-12-24T09:00:00)",
      "weeks-3-4": "at(2026-12-31T09:00:00)",
      "day-28": "at(2027-01-07T10:00:00)",
      "day-42": "at(2027-01-21T10:00:00)",
    });
    // Every pending one stops: the reminder had not gone out in this test.
    expect(
      inputs(DeleteScheduleCommand)
        .map((d) => d.Name)
        .sort(),
    ).toEqual(
      ["auto-complete-1", "confirmation-1", "reminder-1"].map((s) => `fu-${booking.id}-${s}`),
    );
  });

  it("the automatic completion (in the followups function) schedules the aftercare too", async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    scheduler.on(DeleteScheduleCommand).resolves({});
    app.clock.set("2026-11-30T18:00:00Z");
    const booking = await book("sched-3@example.com", "2026-12-11T10:00:00-08:00");
    scheduler.resetHistory();
    app.clock.set("2026-12-11T21:00:00Z"); // 13:00 local: end + 2 h
    const outcome = await runFollowUp(
      { ...app.followUps, bookings: deps },
      { locationId: "face-of-jules", bookingId: booking.id, step: "auto-complete-1" },
    );
    expect(outcome).toBe("done");
    const steps = inputs(CreateScheduleCommand).map(
      (c) => JSON.parse(c.Target?.Input ?? "{}").step,
    );
    expect(steps.sort()).toEqual(
      ["day-2", "day-28", "day-3", "day-42", "plan", "week-1", "week-2", "weeks-3-4"].sort(),
    );
  });

  it("a Scheduler outage does not fail the booking: it is logged with ids only", async () => {
    scheduler.on(CreateScheduleCommand).rejects(
      new InternalServerException({
        message: "down",
        Message: "down",
        $metadata: { httpStatusCode: 500 },
      }),
    );
    app.clock.set("2026-11-30T18:00:00Z");
    const before = app.logger.lines.length;
    const booking = await book("sched-4@example.com", "2026-12-14T10:00:00-08:00");
    expect(booking.status).toBe("confirmed");
    const warnings = app.logger.lines
      .slice(before)
      .filter((l) => l.message === "schedule not synced");
    expect(warnings).toHaveLength(3);
    for (const w of warnings) {
      expect(w.fields).toEqual({
        followUpId: expect.stringMatching(new RegExp(`^${booking.id}-`)),
        errorName: "InternalServerException",
      });
    }
    // The follow-ups are still scheduled in the table.
    const stored = await app.stores.reads.bookingWithFollowUps("face-of-jules", booking.id);
    expect(stored?.followUps.map((f) => f.status)).toEqual(["scheduled", "scheduled", "scheduled"]);
  });
});
