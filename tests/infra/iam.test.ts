import { describe, expect, it } from "vitest";
import { TABLE_ACTIONS } from "../../infra/stacks/app-stack";
import { allStatements, starResourceGrants } from "./policies";
import { synthClinic, TEST_ENV } from "./synth";

const { appTemplate, dataTemplate, appStack } = synthClinic();
const statements = [...allStatements(appTemplate), ...allStatements(dataTemplate)];
const arn = (service: string, resource: string) =>
  `arn:aws:${service}:${TEST_ENV.region}:${TEST_ENV.account}:${resource}`;
const withAction = (prefix: string) =>
  statements.filter((s) => s.effect === "Allow" && s.actions.some((a) => a.startsWith(prefix)));

describe("IAM, every policy statement walked", () => {
  it("finds the statements (the walker sees identity, trust and resource policies)", () => {
    expect(statements.length).toBeGreaterThan(30);
    expect(statements.some((s) => s.where.includes("KeyPolicy"))).toBe(true);
    expect(statements.some((s) => s.where.includes("AssumeRolePolicyDocument"))).toBe(true);
  });

  it("grants no DynamoDB, Scheduler or SES action on a * resource", () => {
    expect(starResourceGrants(statements, ["dynamodb", "scheduler", "ses"])).toEqual([]);
  });

  it("grants no * action, and no service:* action, anywhere in an identity policy", () => {
    const broad = statements.filter(
      (s) => !s.hasPrincipal && s.actions.some((a) => a === "*" || a.endsWith(":*")),
    );
    expect(broad).toEqual([]);
  });

  it("DynamoDB: the functions' operations (no Scan) on the table and its named indexes", () => {
    const dynamo = withAction("dynamodb:");
    expect(dynamo).toHaveLength(3); // api, followups, ses-events
    for (const s of dynamo) {
      expect(s.actions.sort()).toEqual([...TABLE_ACTIONS].sort());
      expect(s.actions).not.toContain("dynamodb:Scan");
      expect(s.resources).toHaveLength(4);
      expect(s.resources.filter((r) => r.includes("*"))).toEqual([]);
      expect(s.resources.slice(1).map((r) => r.match(/\/index\/(GSI\d)/)?.[1])).toEqual([
        "GSI1",
        "GSI2",
        "GSI3",
      ]);
    }
  });

  it("Scheduler: api and followups manage schedules only in the clinic's group", () => {
    const scheduler = withAction("scheduler:");
    expect(scheduler).toHaveLength(2);
    for (const s of scheduler) {
      expect(s.actions.sort()).toEqual([
        "scheduler:CreateSchedule",
        "scheduler:DeleteSchedule",
        "scheduler:UpdateSchedule",
      ]);
      expect(s.resources).toEqual([arn("scheduler", "schedule/clinic-dev-followups/*")]);
    }
  });

  it("iam:PassRole only for the Scheduler role, by api and followups", () => {
    const pass = withAction("iam:PassRole");
    expect(pass).toHaveLength(2);
    const roleId = appStack.getLogicalId(appStack.schedulerRole.node.defaultChild as never);
    for (const s of pass) {
      expect(s.actions).toEqual(["iam:PassRole"]);
      expect(s.resources).toEqual([JSON.stringify({ "Fn::GetAtt": [roleId, "Arn"] })]);
    }
  });

  it("SES: send only from the clinic's identity through its configuration set", () => {
    const ses = withAction("ses:");
    expect(ses.map((s) => s.actions).sort()).toEqual([["ses:SendEmail"], ["ses:SendRawEmail"]]);
    for (const s of ses) {
      expect(s.resources.sort()).toEqual([
        arn("ses", "configuration-set/clinic-dev"),
        arn("ses", "identity/example.com"),
      ]);
    }
  });

  it("the link secret is read (only) by api and followups", () => {
    const reads = withAction("secretsmanager:");
    expect(reads).toHaveLength(2);
    for (const s of reads) expect(s.actions).toEqual(["secretsmanager:GetSecretValue"]);
  });

  it("every function role writes only to its own log group (no AWS managed policy)", () => {
    const roles = Object.values(appTemplate.findResources("AWS::IAM::Role"));
    for (const role of roles) expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    const logs = withAction("logs:");
    expect(logs).toHaveLength(3);
    for (const s of logs) expect(s.resources[0]).toMatch(/Logs[0-9A-F]{8}","Arn"\]\}$/);
  });
});
