import { Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";

/**
 * The role EventBridge Scheduler assumes to fire a follow-up: it may invoke the followups
 * function and dead-letter to its queue, nothing else, and only schedules of the clinic's
 * group may use it (Scheduler's aws:SourceArn is the schedule GROUP's ARN).
 */
export function createSchedulerRole(
  scope: Construct,
  id: string,
  props: { stage: string; scheduleGroup: string; targetArn: string; deadLetterQueue: sqs.IQueue },
): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, id, {
    description: `Clinic ${props.stage}: EventBridge Scheduler invokes followups`,
    assumedBy: new iam.ServicePrincipal("scheduler.amazonaws.com", {
      conditions: {
        StringEquals: {
          "aws:SourceAccount": stack.account,
          "aws:SourceArn": stack.formatArn({
            service: "scheduler",
            resource: "schedule-group",
            resourceName: props.scheduleGroup,
          }),
        },
      },
    }),
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [props.targetArn] }),
  );
  props.deadLetterQueue.grantSendMessages(role);
  return role;
}
