import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import * as cognito from "aws-cdk-lib/aws-cognito";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as kms from "aws-cdk-lib/aws-kms";
import { ScheduleGroup } from "aws-cdk-lib/aws-scheduler";
import * as secrets from "aws-cdk-lib/aws-secretsmanager";
import * as ses from "aws-cdk-lib/aws-ses";
import type { Construct } from "constructs";
import { type DeploySettings, names } from "../settings";
import { tableShape } from "../table";

export interface DataStackProps extends StackProps {
  settings: DeploySettings;
}

/** The staff groups the app knows (functions/api staff-auth). */
export const STAFF_GROUPS = ["receptionist", "admin"] as const;

/**
 * Everything whose loss would lose data or break what is already out there, retained
 * when the stack is deleted: the table and its key, the staff user pool, the link
 * secret (every manage/unsubscribe link ever sent is signed with it), the schedule
 * group (it holds the pending follow-ups) and the SES identity (its DKIM records are
 * in the clinic's DNS).
 */
export class DataStack extends Stack {
  readonly dataKey: kms.Key;
  readonly table: dynamodb.Table;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly linkSecret: secrets.Secret;
  readonly scheduleGroup: ScheduleGroup;
  readonly mailIdentity: ses.EmailIdentity;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { stage, mailDomain } = props.settings;
    const n = names(stage);

    // A customer-managed key rather than the AWS-owned or AWS-managed one: the table holds
    // patients' health data (treatments, dates, emails), so the clinic controls the key
    // policy, every use is in CloudTrail, and access can be cut by disabling the key.
    // About $1/month; DynamoDB caches data keys, so request costs stay small.
    this.dataKey = new kms.Key(this, "DataKey", {
      alias: `alias/clinic-${stage}-data`,
      description: `Clinic ${stage}: the table and the link secret`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const shape = tableShape();
    this.table = new dynamodb.Table(this, "Table", {
      partitionKey: shape.partitionKey,
      sortKey: shape.sortKey,
      billingMode: shape.billingMode,
      timeToLiveAttribute: shape.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const gsi of shape.globalSecondaryIndexes) this.table.addGlobalSecondaryIndex(gsi);

    this.userPool = new cognito.UserPool(this, "StaffPool", {
      userPoolName: `clinic-${stage}-staff`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: "Your clinic staff account",
        emailBody:
          "An administrator created your staff account. Sign in as {username} with the temporary password {####}",
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const groupName of STAFF_GROUPS) {
      new cognito.UserPoolGroup(this, `Group-${groupName}`, {
        userPool: this.userPool,
        groupName,
        description: `Clinic staff: ${groupName}`,
      });
    }
    // The console signs in with USER_PASSWORD_AUTH from the api function: a public client.
    this.userPoolClient = this.userPool.addClient("Console", {
      userPoolClientName: `clinic-${stage}-console`,
      generateSecret: false,
      authFlows: { userPassword: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    this.linkSecret = new secrets.Secret(this, "LinkSecret", {
      description: `Clinic ${stage}: HMAC key of patients' signed links`,
      encryptionKey: this.dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.scheduleGroup = new ScheduleGroup(this, "FollowUpSchedules", {
      scheduleGroupName: n.scheduleGroup,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.mailIdentity = new ses.EmailIdentity(this, "MailIdentity", {
      identity: ses.Identity.domain(mailDomain),
    });
    this.mailIdentity.applyRemovalPolicy(RemovalPolicy.RETAIN);

    new CfnOutput(this, "TableName", { value: this.table.tableName });
    new CfnOutput(this, "UserPoolId", { value: this.userPool.userPoolId });
    new CfnOutput(this, "UserPoolClientId", { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, "MailDomain", { value: mailDomain });
    const dkim = [
      [this.mailIdentity.dkimDnsTokenName1, this.mailIdentity.dkimDnsTokenValue1],
      [this.mailIdentity.dkimDnsTokenName2, this.mailIdentity.dkimDnsTokenValue2],
      [this.mailIdentity.dkimDnsTokenName3, this.mailIdentity.dkimDnsTokenValue3],
    ] as const;
    dkim.forEach(([name, value], i) => {
      new CfnOutput(this, `DkimCname${i + 1}`, {
        description: "DNS CNAME record SES needs to verify the domain (name → value)",
        value: `${name} CNAME ${value}`,
      });
    });
  }
}
