import { ArnFormat, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";

/**
 * The app stack's key, for its queues, topics and log groups. The services that write to
 * them on their own (CloudWatch Logs, SES, CloudWatch alarms) are let in by the key
 * policy. Retained like the log groups it encrypts, so they stay readable after the
 * stack is gone.
 */
export function createAppKey(scope: Construct, id: string, stage: string): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, id, {
    alias: `alias/clinic-${stage}-app`,
    description: `Clinic ${stage}: queues, topics and logs`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "CloudWatchLogsOfThisAccount",
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: [
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:DescribeKey",
      ],
      resources: ["*"],
      conditions: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": stack.formatArn({
            service: "logs",
            resource: "log-group",
            resourceName: "*",
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: "SesAndAlarmsPublishToEncryptedTopics",
      principals: [
        new iam.ServicePrincipal("ses.amazonaws.com"),
        new iam.ServicePrincipal("cloudwatch.amazonaws.com"),
      ],
      // As AWS documents it for encrypted topics: no condition here (not every service
      // passes aws:SourceAccount to KMS); who may publish is decided by the topic policies.
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      resources: ["*"],
    }),
  );
  return key;
}
