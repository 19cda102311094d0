import { Stack, Validations } from "aws-cdk-lib";
import { CfnRoute } from "aws-cdk-lib/aws-apigatewayv2";
import type { IConstruct } from "constructs";
import type { ClinicFunction } from "./constructs/clinic-function";
import type { AppStack } from "./stacks/app-stack";
import type { DataStack } from "./stacks/data-stack";

/**
 * Every cdk-nag finding this app accepts, in one place, each on the narrowest construct
 * and with the reason a reviewer needs (AwsSolutions and HIPAA Security packs; see
 * tests/infra/nag.test.ts). Anything not listed here fails the test.
 */
export interface Suppression {
  /** The construct path the acknowledgement is attached to (for the report). */
  path: string;
  id: string;
  reason: string;
}

export function applySuppressions(data: DataStack, app: AppStack): Suppression[] {
  const applied: Suppression[] = [];
  const ack = (scope: IConstruct, id: string, reason: string) => {
    Validations.of(scope).acknowledge({ id, reason });
    applied.push({ path: scope.node.path, id, reason });
  };

  // --- Data stack -------------------------------------------------------------------
  ack(
    data.linkSecret,
    "AwsSolutions-SMG4",
    "LinkSecret is the HMAC key of every manage/rebook/unsubscribe link already emailed to patients; rotating it would silently break those links (the app verifies against one key). It is generated, encrypted with the data key, readable only by the api and followups roles, and retained.",
  );
  ack(
    data.linkSecret,
    "HIPAA.Security-SecretsManagerRotationEnabled",
    "LinkSecret signs links already in patients' mailboxes; automatic rotation would invalidate them. Rotate by hand (README) if it leaks. Access is limited to the api and followups roles and every read is in CloudTrail.",
  );
  ack(
    data.userPool,
    "AwsSolutions-COG2",
    "StaffPool: MFA is OPTIONAL by the clinic's decision (staff sign in at a shared front desk): accounts are created by an administrator only, passwords need 12+ characters of four classes, and Cognito Plus threat protection (compromised-credential and adaptive-authentication checks) is enforced. TOTP can be turned on per user.",
  );
  ack(
    data.table,
    "HIPAA.Security-DynamoDBInBackupPlan",
    "Table: point-in-time recovery (continuous, any second of the last 35 days), deletion protection and a RETAIN policy are the backup; an AWS Backup plan would duplicate that for a single small table. Add one (README) if the clinic's compliance officer requires copies older than 35 days.",
  );

  // --- App stack: functions -------------------------------------------------------------
  const fns: [string, ClinicFunction][] = [
    ["api", app.api],
    ["followups", app.followups],
    ["ses-events", app.sesEvents],
  ];
  // Which customer-managed keys a function's role is granted: the table's (data key), and
  // the app key where the function sends failures to its encrypted dead-letter queue.
  const keys = (name: string) =>
    name === "api"
      ? "the data key (the table)"
      : "the data key (the table) and the app key (its encrypted dead-letter queue)";
  for (const [name, f] of fns) {
    ack(
      f.fn,
      "HIPAA.Security-LambdaInsideVPC",
      `${name}: talks only to AWS service endpoints (DynamoDB, SES, Scheduler, Secrets Manager, Cognito) over TLS with IAM-signed requests, and holds no private network resources; a VPC would add NAT/endpoint cost without narrowing who can reach the data.`,
    );
    ack(
      f.role,
      "HIPAA.Security-IAMNoInlinePolicy",
      `${name} role: its one policy is written for this role alone and lives and dies with it (CDK grants); nothing is shared between roles, so a managed policy would add versions to audit without reuse.`,
    );
    ack(
      f.role,
      "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
      `${name} role: CDK's encrypt/decrypt grants on ${keys(name)}; the wildcard covers the GenerateDataKey variants on those key ARNs only, no other key.`,
    );
    ack(
      f.role,
      "AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
      `${name} role: CDK's encrypt/decrypt grants on ${keys(name)}; ReEncrypt* (From/To) is limited to those key ARNs.`,
    );
  }
  for (const [name, f] of [fns[0], fns[1]] as [string, ClinicFunction][]) {
    ack(
      f.role,
      `AwsSolutions-IAM5[Resource::${resolvedString(app, app.scheduleArns)}]`,
      `${name} role: one schedule per follow-up is created at run time (fu-<id>), so the names are not known at deploy time; the wildcard is confined to the clinic's own schedule group and the role may pass only the Scheduler role.`,
    );
  }
  ack(
    app.api.fn,
    "HIPAA.Security-LambdaConcurrency",
    "api: the HTTP API stage throttles it (50 req/s, burst 100; sign-in 2/s), which bounds its concurrency; reserving concurrency would cap bookings in a rush and needs an account quota above the default 10.",
  );
  ack(
    app.api.fn,
    "HIPAA.Security-LambdaDLQ",
    "api: invoked synchronously by API Gateway only; the caller gets the error, so a dead-letter queue (for asynchronous invocations) would never receive anything.",
  );
  ack(
    app.schedulerRole,
    "HIPAA.Security-IAMNoInlinePolicy",
    "SchedulerRole: its one policy (invoke followups, send to its DLQ) is specific to this role and lives and dies with it.",
  );
  for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) {
    ack(
      app.schedulerRole,
      `AwsSolutions-IAM5[Action::${action}]`,
      "SchedulerRole: CDK's send grant on the KMS-encrypted dead-letter queue; the wildcard covers the variants of that action on the app key ARN only.",
    );
  }

  // --- App stack: public routes ---------------------------------------------------------
  for (const route of app.http.api.node.findAll()) {
    if (!(route instanceof CfnRoute) || route.authorizationType === "JWT") continue;
    ack(
      route,
      "AwsSolutions-APIG4",
      `Route "${route.routeKey}" is public on purpose: patients book, manage and unsubscribe without accounts (their links carry HMAC-signed, expiring tokens checked by the app), and staff sign-in/sign-out must work without a token. Every other /api/staff route has the Cognito JWT authorizer.`,
    );
  }
  return applied;
}

function resolvedString(scope: IConstruct, value: string): string {
  const resolved = Stack.of(scope).resolve(value);
  return typeof resolved === "string" ? resolved : JSON.stringify(resolved);
}
