import { ArnFormat, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { cdkBundling, FUNCTION_ENTRIES, type FunctionKey, PROJECT_ROOT } from "../bundling";
import type { DeploySettings } from "../settings";
import { names } from "../settings";

export interface ClinicFunctionProps {
  key: FunctionKey;
  settings: DeploySettings;
  description: string;
  environment: Record<string, string>;
  timeout: Duration;
  memorySize: number;
  /** Caps parallel instances where a downstream quota (SES send rate) needs protecting. */
  reservedConcurrency?: number;
  /** Asynchronously invoked functions: where failed events end up after Lambda's retries. */
  deadLetterQueue?: sqs.IQueue;
  /** Encrypts the function's log group. */
  logKey: kms.IKey;
}

/** The log retention of every function's logs: a year in prod, a month elsewhere. */
export const retentionFor = (stage: string) =>
  stage === "prod" ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH;

/** The ARN of a function of this stack by its fixed name (usable before it exists). */
export function functionArn(scope: Construct, settings: DeploySettings, key: FunctionKey) {
  return Stack.of(scope).formatArn({
    service: "lambda",
    resource: "function",
    resourceName: names(settings.stage).function(key),
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * Every function's defaults in one place: Node 24 on arm64, bundled by the local
 * esbuild (infra/bundling.ts), source maps on, JSON logs into its own encrypted log
 * group with a retention, and a role of its own that may write only to that log group
 * (no AWS managed policy); callers add what the function needs.
 */
export class ClinicFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ClinicFunctionProps) {
    super(scope, id);
    const { settings } = props;
    const functionName = names(settings.stage).function(props.key);

    this.logGroup = new logs.LogGroup(this, "Logs", {
      retention: retentionFor(settings.stage),
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `${functionName}: writes its own logs; grants added per need`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.fn = new NodejsFunction(this, "Function", {
      functionName,
      description: props.description,
      entry: `${PROJECT_ROOT}/${FUNCTION_ENTRIES[props.key]}`,
      handler: "handler",
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}/package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[settings.logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      ...(props.deadLetterQueue
        ? { deadLetterQueue: props.deadLetterQueue, retryAttempts: 2 }
        : {}),
      bundling: cdkBundling(),
      environment: {
        NODE_OPTIONS: "--enable-source-maps",
        LOG_LEVEL: settings.logLevel,
        ...props.environment,
      },
    });
  }
}

/** Lambda functions' default timeouts, named for reading. */
export const TIMEOUTS = {
  api: Duration.seconds(10),
  followups: Duration.seconds(30),
  "ses-events": Duration.seconds(30),
} satisfies Record<FunctionKey, Duration>;
