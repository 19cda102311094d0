import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as sns from "aws-cdk-lib/aws-sns";
import { EmailSubscription, LambdaSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { TABLE_KEYS } from "../../shared/adapters/dynamodb/table-definition";
import { ClinicAlarms } from "../constructs/alarms";
import { createAppKey } from "../constructs/app-key";
import { ClinicFunction, functionArn, TIMEOUTS } from "../constructs/clinic-function";
import { ClinicHttpApi } from "../constructs/http-api";
import { MailEvents } from "../constructs/mail-events";
import { createSchedulerRole } from "../constructs/scheduler-role";
import { type DeploySettings, names } from "../settings";
import type { DataStack } from "./data-stack";

export interface AppStackProps extends StackProps {
  settings: DeploySettings;
  data: DataStack;
}

/**
 * How many `followups` run at once. SES starts production accounts at 14 emails/s
 * (1/s in the sandbox); one instance sends a few per second, so 3 stay under it.
 * Past that the Scheduler retries (up to 10 times over 6 hours) instead of SES throttling.
 */
export const FOLLOWUPS_CONCURRENCY = 3;

/** What the functions do to the table: items, queries and transactions; never Scan. */
export const TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:ConditionCheckItem",
  "dynamodb:BatchWriteItem",
] as const;
/** How often the repair sweep looks for follow-ups whose own schedule never fired. */
export const SWEEP_RATE = "rate(15 minutes)";

/** ses-events only writes suppressions; 2 keeps a burst of bounces off the table's capacity. */
export const SES_EVENTS_CONCURRENCY = 2;

/**
 * The stateless part: functions, HTTP API, Scheduler wiring, SES event publishing,
 * alarms. Safe to destroy and deploy again: everything it points at is in the data stack.
 */
export class AppStack extends Stack {
  readonly api: ClinicFunction;
  readonly followups: ClinicFunction;
  readonly sesEvents: ClinicFunction;
  readonly schedulerRole: iam.Role;
  /** The ARNs of the follow-up schedules: `schedule/<group>/*`. */
  readonly scheduleArns: string;
  readonly followUpsDlq: sqs.Queue;
  readonly sesEventsDlq: sqs.Queue;
  readonly appKey: kms.Key;
  readonly http: ClinicHttpApi;
  readonly mail: MailEvents;
  readonly alarmTopic: sns.Topic;
  readonly alarms: ClinicAlarms;
  /** The recurring schedule of the follow-ups' repair sweep. */
  readonly sweepSchedule: scheduler.CfnSchedule;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { settings, data } = props;
    const { stage } = settings;
    const n = names(stage);
    this.addStackDependency(data);

    this.appKey = createAppKey(this, "AppKey", stage);

    const deadLetterQueue = (queueId: string) =>
      new sqs.Queue(this, queueId, {
        encryption: sqs.QueueEncryption.KMS,
        encryptionMasterKey: this.appKey,
        dataKeyReuse: Duration.hours(1),
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    // Schedules the Scheduler could not deliver, and follow-ups whose function kept failing.
    this.followUpsDlq = deadLetterQueue("FollowUpsDlq");
    // SES events the ses-events function could not handle.
    this.sesEventsDlq = deadLetterQueue("SesEventsDlq");

    const followupsArn = functionArn(this, settings, "followups");
    this.scheduleArns = this.formatArn({
      service: "scheduler",
      resource: "schedule",
      resourceName: `${n.scheduleGroup}/*`,
    });
    const scheduleArns = this.scheduleArns;
    this.schedulerRole = createSchedulerRole(this, "SchedulerRole", {
      stage,
      scheduleGroup: n.scheduleGroup,
      targetArn: followupsArn,
      deadLetterQueue: this.followUpsDlq,
    });

    const mailIdentityArn = this.formatArn({
      service: "ses",
      resource: "identity",
      resourceName: settings.mailDomain,
    });
    this.mail = new MailEvents(this, "Mail", {
      configurationSetName: n.configurationSet,
      key: this.appKey,
    });

    const tableEnv = { TABLE_NAME: data.table.tableName };
    const schedulerEnv = {
      SCHEDULE_GROUP: n.scheduleGroup,
      FOLLOWUPS_FUNCTION_ARN: followupsArn,
      SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      SCHEDULER_DLQ_ARN: this.followUpsDlq.queueArn,
    };
    const linkEnv = {
      PUBLIC_BASE_URL: settings.publicBaseUrl,
      LINK_SECRET_ID: data.linkSecret.secretArn,
      MAIL_FROM: settings.mailFrom,
      SES_CONFIGURATION_SET: this.mail.configurationSetName,
    };

    this.api = new ClinicFunction(this, "Api", {
      key: "api",
      settings,
      description: "Clinic booking API and pages (Hono)",
      memorySize: 1024,
      timeout: TIMEOUTS.api,
      logKey: this.appKey,
      environment: {
        ...tableEnv,
        ...schedulerEnv,
        ...linkEnv,
        LOCATION_ID: settings.locationId,
        COGNITO_ISSUER: `https://cognito-idp.${this.region}.${this.urlSuffix}/${data.userPool.userPoolId}`,
        COGNITO_CLIENT_ID: data.userPoolClient.userPoolClientId,
      },
    });
    this.followups = new ClinicFunction(this, "FollowUps", {
      key: "followups",
      settings,
      description: "Sends one aftercare follow-up (EventBridge Scheduler target)",
      memorySize: 512,
      timeout: TIMEOUTS.followups,
      reservedConcurrency: FOLLOWUPS_CONCURRENCY,
      deadLetterQueue: this.followUpsDlq,
      logKey: this.appKey,
      // Its own ARN comes from its fixed name: a reference to itself is not allowed.
      environment: { ...tableEnv, ...schedulerEnv, ...linkEnv },
    });
    this.sesEvents = new ClinicFunction(this, "SesEvents", {
      key: "ses-events",
      settings,
      description: "SES bounces and complaints to suppressions",
      memorySize: 256,
      timeout: TIMEOUTS["ses-events"],
      reservedConcurrency: SES_EVENTS_CONCURRENCY,
      deadLetterQueue: this.sesEventsDlq,
      logKey: this.appKey,
      environment: { ...tableEnv, LOCATION_IDS: settings.locationId },
    });
    this.mail.topic.addSubscription(new LambdaSubscription(this.sesEvents.fn));

    // The repair path: a follow-up whose one-time schedule was never created (a Scheduler
    // outage right after the booking was written) is still in the table's due index; every
    // 15 minutes followups sends those overdue by more than 10 minutes, through the same
    // idempotent path. In the follow-ups' group, so the Scheduler role's trust admits it.
    this.sweepSchedule = new scheduler.CfnSchedule(this, "FollowUpsSweep", {
      name: "repair-sweep",
      groupName: n.scheduleGroup,
      description: `Clinic ${stage}: send follow-ups whose own schedule never fired`,
      scheduleExpression: SWEEP_RATE,
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: {
        arn: followupsArn,
        roleArn: this.schedulerRole.roleArn,
        input: JSON.stringify({ sweep: true, locationIds: [settings.locationId] }),
        // A missed sweep is made up by the next one: no retries piling up behind it.
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 600 },
        deadLetterConfig: { arn: this.followUpsDlq.queueArn },
      },
    });
    this.sweepSchedule.node.addDependency(this.followups.fn);

    // Data: the one table and its named indexes, with the operations the code uses (no
    // Scan: no request path scans), and the table's key.
    const tableArns = [
      data.table.tableArn,
      ...Object.values(TABLE_KEYS.indexes).map((i) => `${data.table.tableArn}/index/${i.name}`),
    ];
    for (const f of [this.api, this.followups, this.sesEvents]) {
      f.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: [...TABLE_ACTIONS], resources: tableArns }),
      );
      data.dataKey.grantEncryptDecrypt(f.role);
    }
    for (const f of [this.api, this.followups]) {
      // Written out rather than `linkSecret.grantRead`: that grant puts these roles into
      // the data key's policy, a reference from the data stack back to this one.
      f.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ["secretsmanager:GetSecretValue"],
          resources: [data.linkSecret.secretArn],
        }),
      );
      f.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ["kms:Decrypt"],
          resources: [data.dataKey.keyArn],
          conditions: {
            StringEquals: { "kms:ViaService": `secretsmanager.${this.region}.${this.urlSuffix}` },
          },
        }),
      );
      // Follow-up schedules: only in the clinic's group, only with the Scheduler role.
      f.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [
            "scheduler:CreateSchedule",
            "scheduler:UpdateSchedule",
            "scheduler:DeleteSchedule",
          ],
          resources: [scheduleArns],
        }),
      );
      this.schedulerRole.grantPassRole(f.role);
    }
    // Mail: from the clinic's identity, through the configuration set only.
    const sendFrom = (f: ClinicFunction, action: string) =>
      f.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [action],
          resources: [mailIdentityArn, this.mail.configurationSetArn],
        }),
      );
    sendFrom(this.api, "ses:SendEmail");
    sendFrom(this.followups, "ses:SendRawEmail");

    this.http = new ClinicHttpApi(this, "Http", {
      settings,
      handler: this.api.fn,
      userPool: data.userPool,
      userPoolClient: data.userPoolClient,
      logKey: this.appKey,
    });

    this.alarmTopic = new sns.Topic(this, "AlarmTopic", {
      displayName: `Clinic ${stage} alarms`,
      masterKey: this.appKey,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one, so CloudWatch alarms are let in by name.
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "AlarmsOfThisAccountPublish",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.alarmTopic.topicArn],
        conditions: { StringEquals: { "aws:SourceAccount": this.account } },
      }),
    );
    if (settings.alarmEmail) {
      this.alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));
    }
    this.alarms = new ClinicAlarms(this, "Alarms", {
      topic: this.alarmTopic,
      deadLetterQueues: [
        { name: "FollowUps", queue: this.followUpsDlq },
        { name: "SesEvents", queue: this.sesEventsDlq },
      ],
      followups: this.followups.fn,
      apiId: this.http.api.apiId,
      apiStage: this.http.stage.stageName,
    });

    new CfnOutput(this, "ApiUrl", { value: this.http.stage.url });
    new CfnOutput(this, "LocationId", { value: settings.locationId });
    new CfnOutput(this, "FollowUpsDlqUrl", { value: this.followUpsDlq.queueUrl });
  }
}
