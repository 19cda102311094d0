import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { createTableInput, TABLE_KEYS } from "../../shared/adapters/dynamodb/table-definition";
import { only, resourcesOf, synthClinic } from "./synth";

const { dataTemplate: t } = synthClinic();
const [tableId, table] = only(t, "AWS::DynamoDB::Table");

describe("the table", () => {
  it("is derived from the shared definition: keys, attribute types, billing", () => {
    const def = createTableInput("x");
    expect(table.Properties?.KeySchema).toEqual(def.KeySchema);
    expect(new Set(table.Properties?.AttributeDefinitions)).toEqual(
      new Set(def.AttributeDefinitions),
    );
    expect(table.Properties?.BillingMode).toBe("PAY_PER_REQUEST");
  });

  it("has the GSIs of the shared definition, with their projections", () => {
    const def = createTableInput("x");
    const byName = (xs: any[] = []) =>
      Object.fromEntries(xs.map((g) => [g.IndexName, { k: g.KeySchema, p: g.Projection }]));
    expect(byName(table.Properties?.GlobalSecondaryIndexes)).toEqual(
      byName(def.GlobalSecondaryIndexes),
    );
    expect(Object.keys(byName(table.Properties?.GlobalSecondaryIndexes)).sort()).toEqual([
      "GSI1",
      "GSI2",
      "GSI3",
    ]);
  });

  it("has point-in-time recovery, deletion protection and the TTL attribute", () => {
    expect(table.Properties?.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
    expect(table.Properties?.DeletionProtectionEnabled).toBe(true);
    expect(table.Properties?.TimeToLiveSpecification).toEqual({
      AttributeName: TABLE_KEYS.ttlAttribute,
      Enabled: true,
    });
  });

  it("is retained when the stack goes, and on replacement", () => {
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.UpdateReplacePolicy).toBe("Retain");
  });

  it("is encrypted with the customer-managed data key, which rotates and is retained", () => {
    const [keyId, key] = only(t, "AWS::KMS::Key");
    expect(table.Properties?.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: "KMS",
      KMSMasterKeyId: { "Fn::GetAtt": [keyId, "Arn"] },
    });
    expect(key.Properties?.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe("Retain");
    expect(tableId).toMatch(/^Table/);
  });
});

describe("the staff user pool", () => {
  const [poolId, pool] = only(t, "AWS::Cognito::UserPool");

  it("lets only administrators create users, signs in by email, MFA optional", () => {
    expect(pool.Properties?.AdminCreateUserConfig?.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.Properties?.UsernameAttributes).toEqual(["email"]);
    expect(pool.Properties?.MfaConfiguration).toBe("OPTIONAL");
    expect(pool.Properties?.EnabledMfas).toEqual(["SOFTWARE_TOKEN_MFA"]);
  });

  it("has a strong password policy and is protected and retained", () => {
    expect(pool.Properties?.Policies?.PasswordPolicy).toMatchObject({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
    expect(pool.Properties?.DeletionProtection).toBe("ACTIVE");
    expect(pool.DeletionPolicy).toBe("Retain");
  });

  it("has the receptionist and admin groups", () => {
    const groups = resourcesOf(t, "AWS::Cognito::UserPoolGroup").map(([, g]) => [
      g.Properties?.GroupName,
      g.Properties?.UserPoolId,
    ]);
    expect(groups.sort()).toEqual([
      ["admin", { Ref: poolId }],
      ["receptionist", { Ref: poolId }],
    ]);
  });

  it("has a public app client for USER_PASSWORD_AUTH (no secret)", () => {
    t.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      UserPoolId: { Ref: poolId },
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(["ALLOW_USER_PASSWORD_AUTH"]),
      PreventUserExistenceErrors: "ENABLED",
    });
  });
});

describe("the rest of the stateful parts", () => {
  it("generates the link secret, encrypts it with the data key and retains it", () => {
    const [, secret] = only(t, "AWS::SecretsManager::Secret");
    const [keyId] = only(t, "AWS::KMS::Key");
    expect(secret.Properties?.GenerateSecretString).toMatchObject({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    expect(secret.Properties?.KmsKeyId).toEqual({ "Fn::GetAtt": [keyId, "Arn"] });
    expect(secret.DeletionPolicy).toBe("Retain");
  });

  it("keeps the follow-ups' schedule group (deleting it deletes pending schedules)", () => {
    const [, group] = only(t, "AWS::Scheduler::ScheduleGroup");
    expect(group.Properties?.Name).toBe("clinic-dev-followups");
    expect(group.DeletionPolicy).toBe("Retain");
  });

  it("declares the SES domain identity from context and outputs its DKIM records", () => {
    const [, identity] = only(t, "AWS::SES::EmailIdentity");
    expect(identity.Properties?.EmailIdentity).toBe("example.com");
    const outputs = Object.keys(t.findOutputs("*"));
    expect(outputs).toEqual(
      expect.arrayContaining([
        "TableName",
        "UserPoolId",
        "UserPoolClientId",
        "DkimCname1",
        "DkimCname2",
        "DkimCname3",
      ]),
    );
  });
});
