import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { SweepEvent } from "../../functions/followups/lambda";
import { retentionFor } from "../../infra/constructs/clinic-function";
import { readSettings } from "../../infra/settings";
import { FOLLOWUPS_CONCURRENCY, SWEEP_RATE } from "../../infra/stacks/app-stack";
import { EventBridgeFollowUpScheduler } from "../../shared/adapters/scheduler/eventbridge-scheduler";
import { readApiConfig, readFollowUpsConfig, readSesEventsConfig } from "../../shared/config";
import type { FollowUp } from "../../shared/domain/follow-ups";
import { only, type Resource, resourcesOf, synthClinic, TEST_ENV } from "./synth";

const { appTemplate: t, appStack } = synthClinic();
const stackId = (c: { node: { defaultChild?: unknown } }) =>
  appStack.getLogicalId(c.node.defaultChild as never);

const functions = Object.fromEntries(
  resourcesOf(t, "AWS::Lambda::Function").map(([id, f]) => [
    String(f.Properties?.FunctionName).replace(/^clinic-dev-/, ""),
    { id, ...f },
  ]),
) as Record<string, Resource & { id: string }>;
const envOf = (name: string) =>
  (functions[name]?.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;

/** A deploy-time value made concrete enough for the config schemas to judge. */
function concrete(key: string, value: unknown): string {
  if (typeof value === "string") return value;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v["Fn::Join"])) {
    const [sep, parts] = v["Fn::Join"] as [string, unknown[]];
    return parts.map((p) => concrete(key, p)).join(sep);
  }
  return key.endsWith("_ARN") || key.endsWith("_ID") ? "arn:aws:token" : "token";
}
const concreteEnv = (name: string) =>
  Object.fromEntries(Object.entries(envOf(name)).map(([k, v]) => [k, concrete(k, v)]));

const followupsArn = `arn:aws:lambda:${TEST_ENV.region}:${TEST_ENV.account}:function:clinic-dev-followups`;
const schedulerRoleId = stackId(appStack.schedulerRole);
const dlqId = stackId(appStack.followUpsDlq);
const appKeyId = stackId(appStack.appKey);

describe("the functions", () => {
  it("are api, followups and ses-events on Node 24, arm64", () => {
    expect(Object.keys(functions).sort()).toEqual(["api", "followups", "ses-events"]);
    for (const f of Object.values(functions)) {
      expect(f.Properties?.Runtime).toBe("nodejs24.x");
      expect(f.Properties?.Architectures).toEqual(["arm64"]);
      expect(f.Properties?.Handler).toBe("index.handler");
      expect(f.Properties?.Environment?.Variables?.NODE_OPTIONS).toBe("--enable-source-maps");
    }
  });

  it("cap followups' concurrency (SES send rate); only the async ones have a DLQ", () => {
    expect(functions.followups?.Properties?.ReservedConcurrentExecutions).toBe(
      FOLLOWUPS_CONCURRENCY,
    );
    expect(functions.followups?.Properties?.DeadLetterConfig).toEqual({
      TargetArn: { "Fn::GetAtt": [dlqId, "Arn"] },
    });
    expect(functions["ses-events"]?.Properties?.DeadLetterConfig).toBeDefined();
    expect(functions.api?.Properties?.ReservedConcurrentExecutions).toBeUndefined();
    t.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: functions.followups?.id },
      MaximumRetryAttempts: 2,
    });
  });

  it("log JSON into their own encrypted log groups with a retention", () => {
    const groups = Object.fromEntries(resourcesOf(t, "AWS::Logs::LogGroup"));
    for (const f of Object.values(functions)) {
      const config = f.Properties?.LoggingConfig;
      expect(config?.LogFormat).toBe("JSON");
      const group = groups[config?.LogGroup?.Ref];
      expect(group?.Properties?.RetentionInDays).toBe(30);
      expect(group?.Properties?.KmsKeyId).toEqual({ "Fn::GetAtt": [appKeyId, "Arn"] });
    }
    expect(retentionFor("prod")).toBe(365);
  });

  it("each get exactly the environment shared/config.ts reads, and it parses", () => {
    expect(Object.keys(envOf("api")).sort()).toEqual(
      [
        "COGNITO_CLIENT_ID",
        "COGNITO_ISSUER",
        "FOLLOWUPS_FUNCTION_ARN",
        "LINK_SECRET_ID",
        "LOCATION_ID",
        "LOG_LEVEL",
        "MAIL_FROM",
        "NODE_OPTIONS",
        "PUBLIC_BASE_URL",
        "SCHEDULER_DLQ_ARN",
        "SCHEDULER_ROLE_ARN",
        "SCHEDULE_GROUP",
        "SES_CONFIGURATION_SET",
        "TABLE_NAME",
      ].sort(),
    );
    expect(Object.keys(envOf("followups")).sort()).toEqual(
      [
        "FOLLOWUPS_FUNCTION_ARN",
        "LINK_SECRET_ID",
        "LOG_LEVEL",
        "MAIL_FROM",
        "NODE_OPTIONS",
        "PUBLIC_BASE_URL",
        "SCHEDULER_DLQ_ARN",
        "SCHEDULER_ROLE_ARN",
        "SCHEDULE_GROUP",
        "SES_CONFIGURATION_SET",
        "TABLE_NAME",
      ].sort(),
    );
    expect(Object.keys(envOf("ses-events")).sort()).toEqual(
      ["LOCATION_IDS", "LOG_LEVEL", "NODE_OPTIONS", "TABLE_NAME"].sort(),
    );
    const api = readApiConfig(concreteEnv("api"));
    expect(api.LOCATION_ID).toBe("face-of-jules");
    expect(api.COGNITO_ISSUER).toMatch(/^https:\/\/cognito-idp\.us-west-2\./);
    expect(readFollowUpsConfig(concreteEnv("followups")).SCHEDULE_GROUP).toBe(
      "clinic-dev-followups",
    );
    expect(readSesEventsConfig(concreteEnv("ses-events")).LOCATION_IDS).toBe("face-of-jules");
  });

  it("both schedule follow-ups to followups' own ARN, with the Scheduler role and DLQ", () => {
    for (const name of ["api", "followups"]) {
      expect(envOf(name)).toMatchObject({
        FOLLOWUPS_FUNCTION_ARN: followupsArn,
        SCHEDULE_GROUP: "clinic-dev-followups",
        SCHEDULER_ROLE_ARN: { "Fn::GetAtt": [schedulerRoleId, "Arn"] },
        SCHEDULER_DLQ_ARN: { "Fn::GetAtt": [dlqId, "Arn"] },
        SES_CONFIGURATION_SET: "clinic-dev",
      });
    }
  });
});

describe("EventBridge Scheduler wiring", () => {
  it("a schedule the adapter writes retries, then dead-letters to the DLQ, with the role", () => {
    const env = envOf("followups");
    const scheduler = new EventBridgeFollowUpScheduler(
      new SchedulerClient({ region: TEST_ENV.region }),
      {
        groupName: String(env.SCHEDULE_GROUP),
        targetArn: String(env.FOLLOWUPS_FUNCTION_ARN),
        roleArn: "arn:aws:iam::111111111111:role/scheduler",
        deadLetterQueueArn: "arn:aws:sqs:us-west-2:111111111111:dlq",
      },
      { now: () => new Date("2026-12-01T00:00:00Z") },
    );
    const request = scheduler.request(
      {
        id: "b1-day-2",
        locationId: "face-of-jules",
        bookingId: "b1",
        step: "day-2",
        dueAt: "2026-12-03T17:00:00Z",
      } as FollowUp,
      "America/Los_Angeles",
    );
    expect(request.GroupName).toBe("clinic-dev-followups");
    expect(request.Name).toBe("fu-b1-day-2");
    expect(request.Target?.Arn).toBe(followupsArn);
    expect(request.Target?.RetryPolicy?.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(request.Target?.DeadLetterConfig?.Arn).toBe("arn:aws:sqs:us-west-2:111111111111:dlq");
  });

  it("the Scheduler role is assumable only by Scheduler, for the clinic's schedule group", () => {
    const role = t.toJSON().Resources[schedulerRoleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: "sts:AssumeRole",
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Condition: {
          StringEquals: {
            "aws:SourceAccount": TEST_ENV.account,
            "aws:SourceArn": `arn:aws:scheduler:${TEST_ENV.region}:${TEST_ENV.account}:schedule-group/clinic-dev-followups`,
          },
        },
      },
    ]);
  });

  it("the Scheduler role may invoke only followups and send only to the DLQ", () => {
    const policies = resourcesOf(t, "AWS::IAM::Policy").filter(([, p]) =>
      JSON.stringify(p.Properties?.Roles).includes(schedulerRoleId),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0]?.[1].Properties?.PolicyDocument.Statement as any[];
    expect(statements).toHaveLength(3);
    expect(statements[0]).toEqual({
      Action: "lambda:InvokeFunction",
      Effect: "Allow",
      Resource: followupsArn,
    });
    expect(statements[1]).toEqual({
      Action: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
      Effect: "Allow",
      Resource: { "Fn::GetAtt": [dlqId, "Arn"] },
    });
    // The DLQ's key, to encrypt what it sends there.
    expect(statements[2].Resource).toEqual({ "Fn::GetAtt": [appKeyId, "Arn"] });
    expect(statements[2].Action.every((a: string) => a.startsWith("kms:"))).toBe(true);
  });

  it("the repair sweep: every 15 minutes in the clinic's group, followups with the sweep input", () => {
    const [id, sweep] = only(t, "AWS::Scheduler::Schedule");
    expect(id).toBe(stackId({ node: { defaultChild: appStack.sweepSchedule } }));
    expect(SWEEP_RATE).toBe("rate(15 minutes)");
    expect(sweep.Properties).toEqual({
      Name: "repair-sweep",
      GroupName: "clinic-dev-followups",
      Description: "Clinic dev: send follow-ups whose own schedule never fired",
      ScheduleExpression: "rate(15 minutes)",
      FlexibleTimeWindow: { Mode: "OFF" },
      State: "ENABLED",
      Target: {
        Arn: followupsArn,
        RoleArn: { "Fn::GetAtt": [schedulerRoleId, "Arn"] },
        Input: JSON.stringify({ sweep: true, locationIds: ["face-of-jules"] }),
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 600 },
        DeadLetterConfig: { Arn: { "Fn::GetAtt": [dlqId, "Arn"] } },
      },
    });
    // What the function accepts as a sweep (anything else is a per-follow-up event).
    expect(SweepEvent.safeParse(JSON.parse(sweep.Properties?.Target.Input)).success).toBe(true);
    // Created after the function it invokes.
    expect(sweep.DependsOn).toEqual(expect.arrayContaining([functions.followups?.id]));
  });

  it("the DLQs are KMS-encrypted, keep messages 14 days and refuse plain HTTP", () => {
    const queues = resourcesOf(t, "AWS::SQS::Queue");
    expect(queues).toHaveLength(2);
    for (const [id, q] of queues) {
      expect(q.Properties?.KmsMasterKeyId).toEqual({ "Fn::GetAtt": [appKeyId, "Arn"] });
      expect(q.Properties?.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      t.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: "Deny",
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            }),
          ]),
        },
      });
    }
  });
});

describe("SES and alarms", () => {
  it("a configuration set publishes bounces and complaints to an encrypted topic → ses-events", () => {
    const [, set] = only(t, "AWS::SES::ConfigurationSet");
    expect(set.Properties?.Name).toBe("clinic-dev");
    const [, dest] = only(t, "AWS::SES::ConfigurationSetEventDestination");
    const topicRef = dest.Properties?.EventDestination?.SnsDestination?.TopicARN;
    expect(dest.Properties?.EventDestination?.MatchingEventTypes.sort()).toEqual([
      "bounce",
      "complaint",
    ]);
    const topic = t.toJSON().Resources[topicRef.Ref];
    expect(topic.Properties.KmsMasterKeyId).toEqual({ "Fn::GetAtt": [appKeyId, "Arn"] });
    t.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "lambda",
      TopicArn: topicRef,
      Endpoint: { "Fn::GetAtt": [functions["ses-events"]?.id, "Arn"] },
    });
  });

  it("has the six alarms, each notifying the encrypted alarm topic", () => {
    const alarms = resourcesOf(t, "AWS::CloudWatch::Alarm");
    const alarmTopicId = stackId(appStack.alarmTopic);
    expect(t.toJSON().Resources[alarmTopicId].Properties.KmsMasterKeyId).toBeDefined();
    expect(alarms.map(([id]) => id.replace(/^Alarms|[0-9A-F]{8}$/g, "")).sort()).toEqual([
      "Api5xxRate",
      "FollowUpsDlqNotEmpty",
      "FollowUpsErrors",
      "SesBounceRate",
      "SesComplaintRate",
      "SesEventsDlqNotEmpty",
    ]);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: alarmTopicId }]);
      expect(alarm.Properties?.OKActions).toEqual([{ Ref: alarmTopicId }]);
    }
    const byMetric = (name: string) =>
      alarms.find(([, a]) => JSON.stringify(a.Properties).includes(name));
    expect(byMetric("Reputation.BounceRate")?.[1].Properties?.Threshold).toBe(0.04);
    expect(byMetric("Reputation.ComplaintRate")?.[1].Properties?.Threshold).toBe(0.0008);
    expect(JSON.stringify(byMetric('"5xx"')?.[1].Properties)).toContain("100 * errors / requests");
  });
});

describe("the services that publish on their own", () => {
  const topicPolicy = (topicId: string) =>
    resourcesOf(t, "AWS::SNS::TopicPolicy").find(([, p]) =>
      JSON.stringify(p.Properties?.Topics).includes(topicId),
    )?.[1].Properties?.PolicyDocument.Statement as any[];
  const allows = (statements: any[], service: string) =>
    statements.some(
      (s) =>
        s.Effect === "Allow" &&
        s.Principal?.Service === service &&
        s.Action === "sns:Publish" &&
        s.Condition?.StringEquals?.["aws:SourceAccount"] === TEST_ENV.account,
    );

  it("CloudWatch may publish to the alarm topic and SES to the events topic", () => {
    expect(allows(topicPolicy(stackId(appStack.alarmTopic)), "cloudwatch.amazonaws.com")).toBe(
      true,
    );
    expect(allows(topicPolicy(stackId(appStack.mail.topic)), "ses.amazonaws.com")).toBe(true);
  });

  it("the app key lets them encrypt, and CloudWatch Logs only for log groups", () => {
    const key = t.toJSON().Resources[appKeyId];
    expect(key.DeletionPolicy).toBe("Retain");
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const statements = key.Properties.KeyPolicy.Statement as any[];
    const forService = (name: string) =>
      statements.find((s) => JSON.stringify(s.Principal).includes(name));
    expect(forService("cloudwatch.amazonaws.com")?.Action).toEqual([
      "kms:Decrypt",
      "kms:GenerateDataKey",
    ]);
    expect(forService("ses.amazonaws.com")).toBeDefined();
    expect(forService(`logs.${TEST_ENV.region}.amazonaws.com`)?.Condition).toEqual({
      ArnLike: {
        "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${TEST_ENV.region}:${TEST_ENV.account}:log-group:*`,
      },
    });
  });
});

describe("context", () => {
  const node = (context: Record<string, string>) => ({
    tryGetContext: (k: string) => context[k],
  });
  it("defaults to dev, face-of-jules, example.com", () => {
    const s = readSettings(node({}) as never, {});
    expect(s).toMatchObject({
      stage: "dev",
      locationId: "face-of-jules",
      mailDomain: "example.com",
      mailFrom: "Face of Jules <no-reply@example.com>",
      publicBaseUrl: "https://booking.example.com",
      ...TEST_ENV,
    });
  });
  it("refuses a From outside the mail domain and a URL with a trailing slash", () => {
    expect(() =>
      readSettings(node({ mailDomain: "clinic.com", mailFrom: "a@other.com" }) as never, {}),
    ).toThrow(/mailFrom/);
    expect(() => readSettings(node({ publicBaseUrl: "https://x.com/" }) as never, {})).toThrow(
      /publicBaseUrl/,
    );
    expect(() => readSettings(node({ stage: "Prod!" }) as never, {})).toThrow(/stage/);
  });
});
