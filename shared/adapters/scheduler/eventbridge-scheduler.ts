import { createHash } from "node:crypto";
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { DateTime } from "luxon";
import type { FollowUp } from "../../domain/follow-ups";
import type { Clock, FollowUpEvent, FollowUpScheduler } from "../../ports";

export interface SchedulerTarget {
  groupName: string;
  /** The `followups` function. */
  targetArn: string;
  /** The role Scheduler assumes; it may invoke only the target. */
  roleArn: string;
  deadLetterQueueArn: string;
}

/** The target from the functions' configuration (both api and followups schedule). */
export function schedulerTargetFrom(config: {
  SCHEDULE_GROUP: string;
  FOLLOWUPS_FUNCTION_ARN: string;
  SCHEDULER_ROLE_ARN: string;
  SCHEDULER_DLQ_ARN: string;
}): SchedulerTarget {
  return {
    groupName: config.SCHEDULE_GROUP,
    targetArn: config.FOLLOWUPS_FUNCTION_ARN,
    roleArn: config.SCHEDULER_ROLE_ARN,
    deadLetterQueueArn: config.SCHEDULER_DLQ_ARN,
  };
}

/** Schedule names are the follow-up's natural key: delivering a change twice is harmless. */
export function scheduleName(f: Pick<FollowUp, "id">): string {
  const name = `fu-${f.id}`;
  // Scheduler names stop at 64 characters: a longer id keeps its start and a hash of it all.
  return name.length <= 64
    ? name
    : `${name.slice(0, 47)}-${createHash("sha256").update(f.id).digest("hex").slice(0, 16)}`;
}

/**
 * One EventBridge Scheduler one-time schedule per follow-up: `at()` in the clinic's
 * local time with its timezone, deleted after it fires, retried, and dead-lettered.
 */
export class EventBridgeFollowUpScheduler implements FollowUpScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly target: SchedulerTarget,
    private readonly clock: Clock,
  ) {}

  request(f: FollowUp, timezone: string): CreateScheduleCommandInput {
    // A time already past (a confirmation, a late completion) is set a minute ahead,
    // so the schedule surely fires; the sender checks the due time, not the schedule.
    const due = Math.max(Date.parse(f.dueAt), this.clock.now().getTime() + 60_000);
    // A local time that happens twice (01:30 on the autumn change) would be ambiguous
    // in at(): such a schedule is written in UTC instead.
    const dt = DateTime.fromMillis(due, { zone: timezone });
    const zone = dt.getPossibleOffsets().length > 1 ? "UTC" : timezone;
    const local = dt.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss");
    const input: FollowUpEvent = { locationId: f.locationId, bookingId: f.bookingId, step: f.step };
    return {
      Name: scheduleName(f),
      GroupName: this.target.groupName,
      ScheduleExpression: `at(${local})`,
      ScheduleExpressionTimezone: zone,
      FlexibleTimeWindow: { Mode: "OFF" },
      ActionAfterCompletion: "DELETE",
      State: "ENABLED",
      Target: {
        Arn: this.target.targetArn,
        RoleArn: this.target.roleArn,
        Input: JSON.stringify(input),
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: this.target.deadLetterQueueArn },
      },
    };
  }

  async schedule(f: FollowUp, timezone: string): Promise<void> {
    const request = this.request(f, timezone);
    try {
      await this.client.send(new CreateScheduleCommand(request));
    } catch (error) {
      // The schedule exists (a reschedule, or a retried request): move it instead.
      if (!(error instanceof ConflictException)) throw error;
      await this.client.send(new UpdateScheduleCommand(request));
    }
  }

  async unschedule(f: FollowUp): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: scheduleName(f), GroupName: this.target.groupName }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
