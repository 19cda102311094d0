import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { httpApiEvent, invokeBundle } from "../../infra/bundle-probe";
import { BUNDLE, type BuiltBundle, bundleEntry, FUNCTION_ENTRIES } from "../../infra/bundling";
import { demoClinic } from "../../local/demo-clinic";
import { localDynamoDbClientConfig } from "../../local/services/dynamodb-local";
import { writeCatalog } from "../../shared/adapters/dynamodb/catalog-writer";
import { createDocumentClient } from "../../shared/adapters/dynamodb/clients";
import { ensureTable } from "../../shared/adapters/dynamodb/ensure-table";
import { resourcesOf, synthClinic } from "./synth";

/**
 * The `api` function as deployed: bundled by esbuild with the options the CDK uses
 * (infra/bundling.ts), loaded in a fresh Node process, answering API Gateway HTTP API
 * (payload 2.0) events against DynamoDB Local.
 */
type LambdaResult = {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
};

const outDir = mkdtempSync(join(tmpdir(), "clinic-api-bundle-"));
const tableName = `bundle_${randomBytes(4).toString("hex")}`;
let bundle: BuiltBundle;
let env: Record<string, string>;

beforeAll(async () => {
  const endpoint = inject("dynamoEndpoint");
  const [built] = await Promise.all([
    bundleEntry(FUNCTION_ENTRIES.api, outDir),
    (async () => {
      const { client, doc } = createDocumentClient(localDynamoDbClientConfig(endpoint));
      await ensureTable(client, tableName);
      await writeCatalog(doc, tableName, demoClinic);
    })(),
  ]);
  bundle = built;
  env = {
    TABLE_NAME: tableName,
    LOCATION_ID: demoClinic.clinic.locationId,
    PUBLIC_BASE_URL: "https://booking.example.com",
    LINK_SECRET: randomBytes(32).toString("hex"),
    COGNITO_ISSUER: "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_test",
    COGNITO_CLIENT_ID: "test-client",
    MAIL_FROM: "Face of Jules <no-reply@example.com>",
    SCHEDULE_GROUP: "clinic-test-followups",
    FOLLOWUPS_FUNCTION_ARN: "arn:aws:lambda:us-west-2:111111111111:function:clinic-test-followups",
    SCHEDULER_ROLE_ARN: "arn:aws:iam::111111111111:role/scheduler",
    SCHEDULER_DLQ_ARN: "arn:aws:sqs:us-west-2:111111111111:dlq",
    LOG_LEVEL: "WARN",
    NODE_OPTIONS: "--enable-source-maps",
    AWS_REGION: "us-west-2",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  };
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const json = (r: LambdaResult) => {
  expect(r.isBase64Encoded).toBe(false);
  return JSON.parse(r.body);
};

describe("the bundled api handler", () => {
  it("is one ESM file (+ source map) with the AWS SDK inside, as deployed", () => {
    expect(bundle.file.endsWith("index.mjs")).toBe(true);
    expect(existsSync(`${bundle.file}.map`)).toBe(BUNDLE.sourceMap);
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs.some((i) => i.includes("node_modules/@aws-sdk/client-dynamodb/"))).toBe(
      !BUNDLE.externalAwsSdk,
    );
    expect(inputs.some((i) => i.endsWith("functions/api/lambda.ts"))).toBe(true);
  });

  it("is byte for byte what the CDK app bundles for the api function", () => {
    const { app, appTemplate } = synthClinic({ "aws:cdk:bundling-stacks": ["Clinic-dev-App"] });
    const api = resourcesOf(appTemplate, "AWS::Lambda::Function").find(
      ([, f]) => f.Properties?.FunctionName === "clinic-dev-api",
    );
    const hash = String(api?.[1].Properties?.Code?.S3Key).replace(/\.zip$/, "");
    const deployed = join(app.outdir, `asset.${hash}`, "index.mjs");
    const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
    expect(sha(deployed)).toBe(sha(bundle.file));
  }, 120_000);

  it("answers GET /api/treatments with the clinic's treatments", async () => {
    const out = await invokeBundle<LambdaResult>(
      bundle.file,
      httpApiEvent("GET", "/api/treatments"),
      env,
    );
    expect(out.result.statusCode).toBe(200);
    expect(out.result.headers["content-type"]).toMatch(/^application\/json/);
    const body = json(out.result);
    expect(body.treatments.map((t: { id: string }) => t.id).sort()).toEqual(
      demoClinic.treatments.map((t) => t.id).sort(),
    );
  });

  it("answers GET /api/availability with free slots in the clinic's timezone", async () => {
    const today = DateTime.now().setZone("America/Los_Angeles").startOf("day");
    const query = {
      treatmentId: "microneedling-face",
      from: today.plus({ days: 10 }).toISODate() ?? "",
      to: today.plus({ days: 16 }).toISODate() ?? "",
    };
    const out = await invokeBundle<LambdaResult>(
      bundle.file,
      httpApiEvent("GET", "/api/availability", query),
      env,
    );
    expect(out.result.statusCode).toBe(200);
    const body = json(out.result);
    expect(body.timezone).toBe("America/Los_Angeles");
    expect(body.slots.length).toBeGreaterThan(0);
    expect(body.slots[0]).toMatchObject({ practitionerId: expect.any(String) });
    expect(Date.parse(body.slots[0].start)).toBeGreaterThan(Date.now());
  });

  it("compresses a week of availability for a client that accepts brotli, base64 for the gateway", async () => {
    const today = DateTime.now().setZone("America/Los_Angeles").startOf("day");
    const query = {
      treatmentId: "microneedling-face",
      from: today.plus({ days: 10 }).toISODate() ?? "",
      to: today.plus({ days: 16 }).toISODate() ?? "",
    };
    const out = await invokeBundle<LambdaResult>(
      bundle.file,
      httpApiEvent("GET", "/api/availability", query, {
        headers: { "accept-encoding": "gzip, deflate, br" },
      }),
      env,
    );
    expect(out.result.statusCode).toBe(200);
    expect(out.result.isBase64Encoded).toBe(true);
    expect(out.result.headers["content-encoding"]).toBe("br");
    const body = JSON.parse(
      brotliDecompressSync(Buffer.from(out.result.body, "base64")).toString(),
    );
    expect(body.slots.length).toBeGreaterThan(0);
  });

  it("still refuses a staff route without a token (behind the gateway's authorizer too)", async () => {
    const out = await invokeBundle<LambdaResult>(
      bundle.file,
      httpApiEvent("GET", "/api/staff/schedule", { date: "2026-12-01" }),
      env,
    );
    expect(out.result.statusCode).toBe(401);
    expect(json(out.result).error?.code ?? json(out.result).code).toBe("UNAUTHENTICATED");
  });
});
