import { type CreateScheduleCommandInput, SchedulerClient } from "@aws-sdk/client-scheduler";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach } from "vitest";
import type { SchedulerTarget } from "../../shared/adapters/scheduler/eventbridge-scheduler";
import type { FollowUp } from "../../shared/domain/follow-ups";

/** The Scheduler target the tests use, and the exact CreateSchedule input it should get. */
export const TZ = "America/Los_Angeles";
export const target: SchedulerTarget = {
  groupName: "clinic-followups",
  targetArn: "arn:aws:lambda:us-west-2:123456789012:function:clinic-followups",
  roleArn: "arn:aws:iam::123456789012:role/clinic-scheduler-invoke",
  deadLetterQueueArn: "arn:aws:sqs:us-west-2:123456789012:clinic-followups-dlq",
};
export const credentials = { accessKeyId: "test", secretAccessKey: "test" };
export const fixedClock = (iso: string) => ({ now: () => new Date(iso) });

export function expectedInput(
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

/** A Scheduler client whose calls are recorded (no local stand-in exists), reset after each test. */
export function mockedScheduler() {
  const client = new SchedulerClient({ region: "us-west-2", credentials });
  const scheduler = mockClient(client);
  afterEach(() => scheduler.reset());
  afterAll(() => scheduler.restore());
  const inputs = <T extends object>(command: new (input: T) => { input: T }) =>
    scheduler.commandCalls(command as never).map((c) => c.args[0].input as T);
  return { client, scheduler, inputs };
}
