import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from "@aws-sdk/client-cloudformation";
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from "@aws-sdk/client-cognito-identity-provider";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { demoClinic } from "../local/demo-clinic";
import { writeCatalog } from "../shared/adapters/dynamodb/catalog-writer";
import { createDocumentClient } from "../shared/adapters/dynamodb/clients";
import { DynamoPlanStore } from "../shared/adapters/dynamodb/plan-store";
import { loadDefaultPlanSteps } from "../shared/aftercare/plan-schema";
import { parseCatalog } from "../shared/catalog/catalog-schema";
import type { Catalog } from "../shared/domain/catalog";
import { seedPlan } from "../shared/services/aftercare-plans";
import { names } from "./settings";

/**
 * Seeds a new deployment: the clinic's catalog (clinic, practitioners, treatments,
 * closures), aftercare plan version 1, and the first admin (Cognito emails them a
 * temporary password). Safe to run again: the catalog is rewritten (items no longer in it
 * are removed), an existing plan and user are kept.
 *
 *   npm run seed:aws -- --stage dev --admin-email you@clinic.com [--region us-west-2]
 *     [--catalog my-clinic.json]
 */
export interface SeedArgs {
  stage: string;
  adminEmail: string;
  region: string | undefined;
  catalogFile: string | undefined;
}

export const USAGE =
  "usage: npm run seed:aws -- --stage <stage> --admin-email <email> [--region <region>] [--catalog <file.json>]";

export function parseSeedArgs(argv: string[]): SeedArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      stage: { type: "string", default: "dev" },
      "admin-email": { type: "string" },
      region: { type: "string" },
      catalog: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const stage = values.stage ?? "dev";
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) throw new Error(`Bad --stage "${stage}"\n${USAGE}`);
  const adminEmail = values["admin-email"]?.trim().toLowerCase();
  if (!adminEmail || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(adminEmail)) {
    throw new Error(`--admin-email must be an email address\n${USAGE}`);
  }
  return { stage, adminEmail, region: values.region, catalogFile: values.catalog };
}

/** What seeding needs from the deployed stacks' outputs. */
export interface Deployment {
  tableName: string;
  userPoolId: string;
  locationId: string;
  apiUrl: string;
}

/** Reads the data and app stacks' outputs (CloudFormation DescribeStacks). */
export async function readDeployment(
  cfn: CloudFormationClient,
  stage: string,
): Promise<Deployment> {
  const n = names(stage);
  const outputs = async (stackName: string) => {
    let out: DescribeStacksCommandOutput;
    try {
      out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    } catch (cause) {
      throw new Error(`Stack ${stackName} not found: deploy it first (npx cdk deploy --all)`, {
        cause,
      });
    }
    const map = new Map<string, string>();
    for (const o of out.Stacks?.[0]?.Outputs ?? []) {
      if (o.OutputKey && o.OutputValue) map.set(o.OutputKey, o.OutputValue);
    }
    return (key: string) => {
      const value = map.get(key);
      if (!value) throw new Error(`Stack ${stackName} has no output ${key}`);
      return value;
    };
  };
  const [data, app] = await Promise.all([outputs(n.dataStack), outputs(n.appStack)]);
  return {
    tableName: data("TableName"),
    userPoolId: data("UserPoolId"),
    locationId: app("LocationId"),
    apiUrl: app("ApiUrl"),
  };
}

/**
 * The catalog to seed: a JSON file of the shape of local/demo-clinic.ts (defaults may
 * be left out), or the demo; checked by the catalog schema every read also uses.
 */
export function loadCatalog(file: string | undefined, locationId: string): Catalog {
  let input: unknown = demoClinic;
  if (file) {
    try {
      input = JSON.parse(readFileSync(file, "utf8"));
    } catch (cause) {
      throw new Error(`Cannot read the catalog ${file}: ${(cause as Error).message}`, { cause });
    }
  }
  const catalog = parseCatalog(input);
  if (catalog.clinic.locationId !== locationId) {
    throw new Error(
      `The catalog is for "${catalog.clinic.locationId}" but the deployment serves "${locationId}" (context locationId)`,
    );
  }
  return catalog;
}

export async function seed(deps: {
  doc: DynamoDBDocumentClient;
  cognito: CognitoIdentityProviderClient;
  deployment: Deployment;
  catalog: Catalog;
  adminEmail: string;
}) {
  const { doc, cognito, deployment, catalog, adminEmail } = deps;
  const written = await writeCatalog(doc, deployment.tableName, catalog);
  const plan = await seedPlan(
    {
      plans: new DynamoPlanStore(doc, deployment.tableName),
      clock: { now: () => new Date() },
      locationId: deployment.locationId,
    },
    loadDefaultPlanSteps(),
  );
  let admin: "invited" | "exists" = "invited";
  try {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: deployment.userPoolId,
        Username: adminEmail,
        UserAttributes: [
          { Name: "email", Value: adminEmail },
          { Name: "email_verified", Value: "true" },
        ],
        DesiredDeliveryMediums: ["EMAIL"],
      }),
    );
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
    admin = "exists";
  }
  await cognito.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: deployment.userPoolId,
      Username: adminEmail,
      GroupName: "admin",
    }),
  );
  return {
    treatments: catalog.treatments.length,
    practitioners: catalog.practitioners.length,
    removed: written.removed,
    plan,
    admin,
  };
}

async function main() {
  const args = parseSeedArgs(process.argv.slice(2));
  const region = args.region ? { region: args.region } : {};
  const deployment = await readDeployment(new CloudFormationClient(region), args.stage);
  const catalog = loadCatalog(args.catalogFile, deployment.locationId);
  const result = await seed({
    doc: createDocumentClient(region).doc,
    cognito: new CognitoIdentityProviderClient(region),
    deployment,
    catalog,
    adminEmail: args.adminEmail,
  });
  console.log(
    `Seeded ${deployment.locationId} in ${deployment.tableName}: ${result.treatments} treatments, ` +
      `${result.practitioners} practitioners${result.removed.length ? ` (removed ${result.removed.join(", ")}, no longer in the catalog)` : ""}, aftercare plan ${result.plan}; admin ${args.adminEmail} ${result.admin}` +
      `${result.admin === "invited" ? " (Cognito emails a temporary password)" : ""}.\nApp: ${deployment.apiUrl}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
