import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

export interface ClinicAlarmsProps {
  topic: sns.ITopic;
  deadLetterQueues: { name: string; queue: sqs.IQueue }[];
  followups: lambda.IFunction;
  apiId: string;
  apiStage: string;
}

/** SES puts an account under review at a 5% bounce rate and 0.1% complaint rate. */
export const SES_BOUNCE_RATE_ALARM = 0.04;
export const SES_COMPLAINT_RATE_ALARM = 0.0008;
/** Percent of API requests answered 5xx over 5 minutes (with at least 20 requests). */
export const API_5XX_PERCENT_ALARM = 5;

/**
 * What someone should look at, each alarm notifying the (encrypted) alarm topic when it
 * fires and when it clears. README "Deploy to AWS" says what each means.
 */
export class ClinicAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ClinicAlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const add = (alarmId: string, alarmProps: cloudwatch.AlarmProps) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...alarmProps,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };

    for (const { name, queue } of props.deadLetterQueues) {
      add(`${name}DlqNotEmpty`, {
        alarmDescription: `${name}: events gave up after retries are waiting in the dead-letter queue`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: "Maximum",
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      });
    }

    add("FollowUpsErrors", {
      alarmDescription: "followups: the function failed (an email may not have been sent)",
      metric: props.followups.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });

    const apiMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: "AWS/ApiGateway",
        metricName,
        dimensionsMap: { ApiId: props.apiId, Stage: props.apiStage },
        statistic: "Sum",
        period: Duration.minutes(5),
      });
    add("Api5xxRate", {
      alarmDescription: `api: more than ${API_5XX_PERCENT_ALARM}% of requests answered 5xx`,
      metric: new cloudwatch.MathExpression({
        expression: "IF(requests >= 20, 100 * errors / requests, 0)",
        usingMetrics: { errors: apiMetric("5xx"), requests: apiMetric("Count") },
        label: "5xx %",
        period: Duration.minutes(5),
      }),
      threshold: API_5XX_PERCENT_ALARM,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });

    const sesMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: "AWS/SES",
        metricName,
        statistic: "Maximum",
        period: Duration.hours(1),
      });
    add("SesBounceRate", {
      alarmDescription: "SES: bounce rate near the 5% at which SES reviews the account",
      metric: sesMetric("Reputation.BounceRate"),
      threshold: SES_BOUNCE_RATE_ALARM,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    add("SesComplaintRate", {
      alarmDescription: "SES: complaint rate near the 0.1% at which SES reviews the account",
      metric: sesMetric("Reputation.ComplaintRate"),
      threshold: SES_COMPLAINT_RATE_ALARM,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
  }
}
