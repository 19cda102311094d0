import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  InternalServerException,
  ResourceNotFoundException,
  SchedulerClient,
  ThrottlingException,
  UpdateScheduleCommand,
  ValidationException,
} from "@aws-sdk/client-scheduler";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  EventBridgeFollowUpScheduler,
  type SchedulerTarget,
  scheduleName,
} from "../../shared/adapters/scheduler/eventbridge-scheduler";
import type { FollowUp } from "../../shared/domain/follow-ups";
import {
  type BookingDeps,
  changeStatus,
  createBooking,
  rescheduleBooking,
} from "../../shared/services/bookings";
import { runFollowUp } from "../../shared/services/follow-ups";
import { startTestApp, type TestApp } from "../support/test-app";

/**
 * The EventBridge Scheduler adapter: one one-time `at()` schedule per follow-up,
 * named by its natural key, in the clinic's local time with its timezone.
 */

const TZ = "America/Los_Angeles";
const target: SchedulerTarget = {
  groupName: "clinic-followups",
  targetArn: "arn:aws:lambda:us-west-2:123456789012:function:clinic-followups",
  roleArn: "arn:aws:iam::123456789012:role/clinic-scheduler-invoke",
  deadLetterQueueArn: "arn:aws:sqs:us-west-2:123456789012:clinic-followups-dlq",
};
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const fixedClock = (iso: string) => ({ now: () => new Date(iso) });

function followUp(overrides: Partial<FollowUp> = {}): FollowUp {
  return {
    id: "3f2a9c0d4b5e6f708192a3b4c5d6e7f8-day-2",
    locationId: "face-of-jules",
    bookingId: "3f2a9c0d4b5e6f708192a3b4c5d6e7f8",
    patientId: "p1",
    kind: "aftercare",
    step: "day-2",
    dueAt: "2026-11-01T17:00:00.000Z",
    status: "scheduled",
    to: "ana@example.com",
    patientName: "Ana Ruiz",
    treatmentId: "microneedling-face",
    treatmentName: "Microneedling, face",
    bookingStart: "2026-10-30T17:00:00.000Z",
    bookingEnd: "2026-10-30T18:00:00.000Z",
    bookingDate: "2026-10-30",
    bookingVersion: 1,
    attempts: 0,
    createdAt: "2026-10-30T18:30:00.000Z",
    updatedAt: "2026-10-30T18:30:00.000Z",
    ...overrides,
  };
}

function expectedInput(
  f: Pick<FollowUp, "id" | "locationId" | "bookingId" | "step">,
  at: string,
): CreateScheduleCommandInput {
  return {
    Name: `fu-${f.id}`,
    GroupName: "clinic-followups",
    ScheduleExpression: `at(${at})`,
    ScheduleExpressionTimezone: TZ,
    FlexibleTimeWindow: { Mode: "OFF" },
    ActionAfterCompletion: "DELETE",
    State: "ENABLED",
    Target: {
      Arn: target.targetArn,
      RoleArn: target.roleArn,
      Input: JSON.stringify({ locationId: f.locationId, bookingId: f.bookingId, step: f.step }),
      RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 21_600 },
      DeadLetterConfig: { Arn: target.deadLetterQueueArn },
    },
  };
}

const client = new SchedulerClient({ region: "us-west-2", credentials });
const scheduler = mockClient(client);
afterEach(() => scheduler.reset());
afterAll(() => scheduler.restore());

const inputs = <T extends object>(command: new (input: T) => { input: T }) =>
  scheduler.commandCalls(command as never).map((c) => c.args[0].input as T);

describe("EventBridgeFollowUpScheduler", () => {
  const adapter = new EventBridgeFollowUpScheduler(
    client,
    target,
    fixedClock("2026-10-30T12:00:00Z"),
  );

  it("creates one at() schedule in clinic-local time with the exact input", async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: "arn:x" });
    const f = followUp();
    await adapter.schedule(f, TZ);
    const creates = inputs(CreateScheduleCommand);
    // 2026-11-01T17:00Z is 09:00 PST, the first morning after the change.
    expect(creates).toEqual([expectedInput(f, "2026-11-01T09:00:00")]);
    expect(JSON.parse(creates[0]?.Target?.Input ?? "")).toEqual({
      locationId: "face-of-jules",
      bookingId: "3f2a9c0d4b5e6f708192a3b4c5d6e7f8",
      step: "day-2",
    });
    expect(inputs(UpdateScheduleCommand)).toEqual([]);
  });

  it("local time on both sides of each 2026 change: 09:00 PDT and 09:00 PST", async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    const cases = [
      ["2026-10-31T16:00:00.000Z", "2026-10-31T09:00:00"],
      ["2026-11-02T17:00:00.000Z", "2026-11-02T09:00:00"],
      ["2026-03-07T17:00:00.000Z", "2026-03-07T09:00:00"],
      ["2026-03-08T16:00:00.000Z", "2026-03-08T09:00:00"],
    ] as const;
    const early = new EventBridgeFollowUpScheduler(
      client,
      target,
      fixedClock("2026-01-01T00:00:00Z"),
    );
    for (const [dueAt] of cases) await early.schedule(followUp({ dueAt }), TZ);
    expect(inputs(CreateScheduleCommand).map((i) => i.ScheduleExpression)).toEqual(
      cases.map(([, local]) => `at(${local})`),
    );
  });

  it("keeps the seconds and drops the milliseconds", async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    await adapter.schedule(followUp({ dueAt: "2026-11-01T17:00:30.750Z" }), TZ);
    expect(inputs(CreateScheduleCommand)[0]?.ScheduleExpression).toBe("at(2026-11-01T09:00:30)");
  });

  it("a due time already past, or under a minute away, is set to now + 60 s", async () => {
    scheduler.on(CreateScheduleCommand).resolves({});
    // now = 2026-10-30T12:00:00Z = 05:00 PDT.
    await adapter.schedule(followUp({ dueAt: "2026-10-01T16:00:00.000Z" }), TZ);
    await adapter.schedule(followUp({ dueAt: "2026-10-30T12:00:00.000Z" }), TZ);
    await adapter.schedule(followUp({ dueAt: "2026-10-30T12:00:30.000Z" }), TZ);
    await adapter.schedule(followUp({ dueAt: "2026-10-30T12:02:00.000Z" }), TZ);
    expect(inputs(CreateScheduleCommand).map((i) => i.ScheduleExpression)).toEqual([
      "at(2026-10-30T05:01:00)",
      "at(2026-10-30T05:01:00)",
      "at(2026-10-30T05:01:00)",
      "at(2026-10-30T05:02:00)",
    ]);
  });

  it("a schedule that exists already (ConflictException) is updated with the same input", async () => {
    scheduler.on(CreateScheduleCommand).rejects(
      new ConflictException({
        message: "exists",
        Message: "exists",
        $metadata: { httpStatusCode: 409 },
      }),
    );
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: "arn:x" });
    const f = followUp();
    await adapter.schedule(f, TZ);
    expect(inputs(CreateScheduleCommand)).toHaveLength(1);
    expect(inputs(UpdateScheduleCommand)).toEqual([expectedInput(f, "2026-11-01T09:00:00")]);
  });

  it("other create errors are thrown, without an update", async () => {
    for (const error of [
      new ValidationException({
        message: "bad",
        Message: "bad",
        $metadata: { httpStatusCode: 400 },
      }),
      new ThrottlingException({
        message: "slow",
        Message: "slow",
        $metadata: { httpStatusCode: 429 },
      }),
      new InternalServerException({
        message: "oops",
        Message: "oops",
        $metadata: { httpStatusCode: 500 },
      }),
    ]) {
      scheduler.reset();
      scheduler.on(CreateScheduleCommand).rejects(error);
      await expect(adapter.schedule(followUp(), TZ)).rejects.toBe(error);
      expect(inputs(UpdateScheduleCommand)).toEqual([]);
    }
  });

  it("an update failing after a conflict is thrown", async () => {
    const error = new ResourceNotFoundException({
      message: "gone",
      Message: "gone",
      $metadata: {},
    });
    scheduler
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: "exists", Message: "exists", $metadata: {} }));
    scheduler.on(UpdateScheduleCommand).rejects(error);
    await expect(adapter.schedule(followUp(), TZ)).rejects.toBe(error);
  });

  it("unschedule deletes the schedule by name and group", async () => {
    scheduler.on(DeleteScheduleCommand).resolves({});
    await adapter.unschedule(followUp());
    expect(inputs(DeleteScheduleCommand)).toEqual([
      { Name: "fu-3f2a9c0d4b5e6f708192a3b4c5d6e7f8-day-2", GroupName: "clinic-followups" },
    ]);
  });

  it("a schedule already gone (fired and deleted) is fine; other delete errors are thrown", async () => {
    scheduler.on(DeleteScheduleCommand).rejects(
      new ResourceNotFoundException({
        message: "gone",
        Message: "gone",
        $metadata: { httpStatusCode: 404 },
      }),
    );
    await expect(adapter.unschedule(followUp())).resolves.toBeUndefined();

    for (const error of [
      new ThrottlingException({
        message: "slow",
        Message: "slow",
        $metadata: { httpStatusCode: 429 },
      }),
      new ConflictException({
        message: "busy",
        Message: "busy",
        $metadata: { httpStatusCode: 409 },
      }),
      new ValidationException({
        message: "bad",
        Message: "bad",
        $metadata: { httpStatusCode: 400 },
      }),
    ]) {
      scheduler.reset();
      scheduler.on(DeleteScheduleCommand).rejects(error);
      await expect(adapter.unschedule(followUp())).rejects.toBe(error);
    }
  });

  it("schedule names: fu-<id>, at most 64 characters, distinct for every step the app writes", () => {
    const bookingId = "0123456789abcdef0123456789abcdef"; // what newBookingId makes
    const steps = [
      "confirmation-1",
      "confirmation-12",
      "reminder-12",
      "auto-complete-12",
      "plan",
      "day-1",
      "weeks-3-4",
      "day-42",
    ];
    const names = steps.map((step) => scheduleName({ id: `${bookingId}-${step}` }));
    expect(names[0]).toBe(`fu-${bookingId}-confirmation-1`);
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(64);
      expect(n).toMatch(/^[0-9a-zA-Z_.-]+$/);
    }
    expect(new Set(names).size).toBe(names.length);
  });
});

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
      "day-1": "at(2026-12-11T09:00:00)",
      "day-2": "at(2026-12-12T09:00:00)",
      "day-3": "at(2026-12-13T09:00:00)",
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
      [
        "day-1",
        "day-2",
        "day-28",
        "day-3",
        "day-42",
        "plan",
        "week-1",
        "week-2",
        "weeks-3-4",
      ].sort(),
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

describe("schedule names", () => {
  it("stay within 64 characters and distinct for long ids", async () => {
    const { scheduleName } = await import("../../shared/adapters/scheduler/eventbridge-scheduler");
    const a = scheduleName({ id: `${"b".repeat(32)}-${"x".repeat(28)}-one` });
    const b = scheduleName({ id: `${"b".repeat(32)}-${"x".repeat(28)}-two` });
    expect(a.length).toBeLessThanOrEqual(64);
    expect(a).not.toBe(b);
    expect(scheduleName({ id: "abc-day-2" })).toBe("fu-abc-day-2");
  });
});
