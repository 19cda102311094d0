import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  InternalServerException,
  ResourceNotFoundException,
  ThrottlingException,
  UpdateScheduleCommand,
  ValidationException,
} from "@aws-sdk/client-scheduler";
import { describe, expect, it } from "vitest";
import {
  EventBridgeFollowUpScheduler,
  scheduleName,
} from "../../shared/adapters/scheduler/eventbridge-scheduler";
import type { FollowUp } from "../../shared/domain/follow-ups";
import {
  expectedInput,
  fixedClock,
  mockedScheduler,
  TZ,
  target,
} from "../support/scheduler-fixtures";

/**
 * The EventBridge Scheduler adapter: one one-time `at()` schedule per follow-up,
 * named by its natural key, in the clinic's local time with its timezone.
 */

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

const { client, scheduler, inputs } = mockedScheduler();

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
