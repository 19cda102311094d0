import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from "@aws-sdk/client-cognito-identity-provider";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, inject, it } from "vitest";
import { tableStores } from "../../functions/wiring";
import { loadCatalog, parseSeedArgs, readDeployment, seed } from "../../infra/seed";
import { demoClinic } from "../../local/demo-clinic";
import { localDynamoDbClientConfig } from "../../local/services/dynamodb-local";
import { createDocumentClient } from "../../shared/adapters/dynamodb/clients";
import { ensureTable } from "../../shared/adapters/dynamodb/ensure-table";

const cfn = mockClient(CloudFormationClient);
const cognito = mockClient(CognitoIdentityProviderClient);
afterEach(() => {
  cfn.reset();
  cognito.reset();
});

const stack = (name: string, outputs: Record<string, string>) => ({
  Stacks: [
    {
      StackName: name,
      CreationTime: new Date(),
      StackStatus: "CREATE_COMPLETE" as const,
      Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
        OutputKey,
        OutputValue,
      })),
    },
  ],
});

describe("seed:aws arguments", () => {
  it("reads --stage and --admin-email (lower-cased), with optional region and catalog", () => {
    expect(parseSeedArgs(["--stage", "prod", "--admin-email", "Jules@Clinic.com"])).toEqual({
      stage: "prod",
      adminEmail: "jules@clinic.com",
      region: undefined,
      catalogFile: undefined,
    });
    expect(
      parseSeedArgs(["--admin-email=a@b.co", "--region", "eu-west-1", "--catalog", "c.json"]),
    ).toMatchObject({ stage: "dev", region: "eu-west-1", catalogFile: "c.json" });
  });

  it("refuses a missing or bad email, a bad stage and unknown flags, with the usage", () => {
    expect(() => parseSeedArgs(["--stage", "dev"])).toThrow(/--admin-email.*\n.*usage/s);
    expect(() => parseSeedArgs(["--admin-email", "nope"])).toThrow(/--admin-email/);
    expect(() => parseSeedArgs(["--stage", "Prod", "--admin-email", "a@b.co"])).toThrow(/stage/);
    expect(() => parseSeedArgs(["--admin-email", "a@b.co", "--force"])).toThrow(/force/);
  });
});

describe("the deployment's outputs", () => {
  it("come from the stage's data and app stacks", async () => {
    cfn
      .on(DescribeStacksCommand, { StackName: "Clinic-prod-Data" })
      .resolves(stack("Clinic-prod-Data", { TableName: "t-1", UserPoolId: "us-west-2_abc" }))
      .on(DescribeStacksCommand, { StackName: "Clinic-prod-App" })
      .resolves(
        stack("Clinic-prod-App", { LocationId: "face-of-jules", ApiUrl: "https://x.test/" }),
      );
    await expect(readDeployment(new CloudFormationClient({}), "prod")).resolves.toEqual({
      tableName: "t-1",
      userPoolId: "us-west-2_abc",
      locationId: "face-of-jules",
      apiUrl: "https://x.test/",
    });
  });

  it("name the missing output, or say to deploy first", async () => {
    cfn
      .on(DescribeStacksCommand, { StackName: "Clinic-dev-Data" })
      .resolves(stack("Clinic-dev-Data", { TableName: "t" }))
      .on(DescribeStacksCommand, { StackName: "Clinic-dev-App" })
      .resolves(stack("Clinic-dev-App", { LocationId: "x", ApiUrl: "https://x" }));
    await expect(readDeployment(new CloudFormationClient({}), "dev")).rejects.toThrow(
      "Stack Clinic-dev-Data has no output UserPoolId",
    );
    cfn.reset();
    cfn
      .on(DescribeStacksCommand)
      .rejects(new Error("Stack with id Clinic-dev-Data does not exist"));
    await expect(readDeployment(new CloudFormationClient({}), "dev")).rejects.toThrow(
      /not found: deploy it first/,
    );
  });

  it("must serve the catalog's location", () => {
    expect(loadCatalog(undefined, "face-of-jules")).toEqual(demoClinic);
    expect(() => loadCatalog(undefined, "other-clinic")).toThrow(/"other-clinic"/);
  });

  it("checks a clinic's file with the catalog schema and names every problem", () => {
    const dir = mkdtempSync(join(tmpdir(), "catalog-"));
    const file = join(dir, "clinic.json");
    const { policy } = demoClinic.clinic;
    writeFileSync(
      file,
      JSON.stringify({
        ...demoClinic,
        clinic: { ...demoClinic.clinic, policy: { timezone: policy.timezone } },
        treatments: demoClinic.treatments.map((t) => ({ ...t, bufferMinutes: undefined })),
      }),
    );
    // Left-out policy fields and buffers take their defaults.
    const loaded = loadCatalog(file, "face-of-jules");
    expect(loaded.clinic.policy).toEqual(policy);
    expect(loaded.treatments.map((t) => t.bufferMinutes)).toEqual([0, 0, 0]);

    writeFileSync(file, JSON.stringify({ ...demoClinic, treatments: [{ id: "x" }] }));
    expect(() => loadCatalog(file, "face-of-jules")).toThrow(/treatments\.0\.name: /);
    writeFileSync(file, "{ not json");
    expect(() => loadCatalog(file, "face-of-jules")).toThrow(/Cannot read the catalog/);
    rmSync(dir, { recursive: true });
  });
});

describe("seeding", () => {
  it("writes the catalog and plan once, invites the admin, and runs again harmlessly", async () => {
    const { client, doc } = createDocumentClient(
      localDynamoDbClientConfig(inject("dynamoEndpoint")),
    );
    const tableName = `seed_${randomBytes(4).toString("hex")}`;
    await ensureTable(client, tableName);
    cognito
      .on(AdminCreateUserCommand)
      .resolvesOnce({})
      .rejects(new UsernameExistsException({ message: "exists", $metadata: {} }));
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    const deployment = {
      tableName,
      userPoolId: "us-west-2_pool",
      locationId: "face-of-jules",
      apiUrl: "https://x.test",
    };
    const run = () =>
      seed({
        doc,
        cognito: new CognitoIdentityProviderClient({ region: "us-west-2" }),
        deployment,
        catalog: demoClinic,
        adminEmail: "admin@clinic.test",
      });

    expect(await run()).toEqual({
      treatments: 3,
      practitioners: 2,
      removed: [],
      plan: "seeded",
      admin: "invited",
    });
    expect(await run()).toEqual({
      treatments: 3,
      practitioners: 2,
      removed: [],
      plan: "kept",
      admin: "exists",
    });

    const { catalogs, plans } = tableStores(doc, tableName, { catalogTtlMs: 0 });
    expect((await catalogs.catalog("face-of-jules")).treatments).toHaveLength(3);

    // A reseed with a smaller catalog leaves exactly that catalog.
    const smaller = {
      ...demoClinic,
      treatments: demoClinic.treatments.filter((t) => t.id !== "led-facial"),
      practitioners: demoClinic.practitioners.map((p) => ({
        ...p,
        treatmentIds: p.treatmentIds.filter((t) => t !== "led-facial"),
      })),
      closures: demoClinic.closures.slice(1),
    };
    const third = await seed({
      doc,
      cognito: new CognitoIdentityProviderClient({ region: "us-west-2" }),
      deployment,
      catalog: smaller,
      adminEmail: "admin@clinic.test",
    });
    expect(third.removed.sort()).toEqual(["CLOSURE#2026-12-25#*", "TREATMENT#led-facial"]);
    expect(await catalogs.catalog("face-of-jules")).toEqual(smaller);
    expect((await plans.currentPlan("face-of-jules"))?.version).toBe(1);
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input).toMatchObject({
      UserPoolId: "us-west-2_pool",
      Username: "admin@clinic.test",
      DesiredDeliveryMediums: ["EMAIL"],
    });
    expect(cognito.commandCalls(AdminAddUserToGroupCommand).map((c) => c.args[0].input)).toEqual(
      Array(3).fill({
        UserPoolId: "us-west-2_pool",
        Username: "admin@clinic.test",
        GroupName: "admin",
      }),
    );
  });
});
