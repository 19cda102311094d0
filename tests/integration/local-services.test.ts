// Starts the real local stand-ins (DynamoDB Local, cognito-local, aws-ses-v2-local) on free ports
// and talks to each through its real API. Needs Java 17+ for DynamoDB Local.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InitiateAuthCommand } from "@aws-sdk/client-cognito-identity-provider";
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  localCognitoClient,
  type SeedStaffPoolOptions,
  seedStaffPool,
  startCognitoLocal,
} from "../../local/services/cognito-local";
import { localDynamoDbClientConfig, startDynamoDbLocal } from "../../local/services/dynamodb-local";
import { assertPortFree, findFreePort, isPortFree } from "../../local/services/ports";
import type { RunningService } from "../../local/services/running-service";
import { sesStoreUrl, sesViewerUrl, startSesLocal } from "../../local/services/ses-local";

// Fictional staff on a reserved test domain.
const STAFF: SeedStaffPoolOptions = {
  poolName: "clinic-staff",
  clientName: "receptionist-console",
  users: [
    { email: "reception@clinic.test", password: "Reception-Passw0rd!", group: "receptionist" },
    { email: "owner@clinic.test", password: "Owner-Passw0rd!", group: "admin" },
  ],
};

async function timed<T>(label: string, start: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  const result = await start();
  console.log(`${label} ready in ${Math.round(performance.now() - startedAt)} ms`);
  return result;
}

describe("local services", () => {
  const ports = { dynamo: 0, cognito: 0, ses: 0 };
  let dynamo: RunningService;
  let cognito: RunningService;
  let ses: RunningService;
  let cognitoDir: string;

  beforeAll(async () => {
    ports.dynamo = await findFreePort();
    ports.cognito = await findFreePort();
    ports.ses = await findFreePort();
    cognitoDir = await mkdtemp(join(tmpdir(), "cognito-local-test-"));
    [dynamo, cognito, ses] = await Promise.all([
      timed("DynamoDB Local", () => startDynamoDbLocal({ port: ports.dynamo })),
      timed("cognito-local", () => startCognitoLocal({ port: ports.cognito, dataDir: cognitoDir })),
      timed("SES local", () => startSesLocal({ port: ports.ses })),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([dynamo?.stop(), cognito?.stop(), ses?.stop()]);
    for (const port of Object.values(ports)) {
      if (port !== 0) expect(await isPortFree(port)).toBe(true);
    }
    if (cognitoDir) await rm(cognitoDir, { recursive: true, force: true });
  }, 20_000);

  it("refuses a port that is taken, naming the env var to change", async () => {
    await expect(assertPortFree(ports.dynamo, "DynamoDB Local", "DYNAMODB_PORT")).rejects.toThrow(
      `Port ${ports.dynamo} (DynamoDB Local) is already in use. Set DYNAMODB_PORT to another port or stop the process using it.`,
    );
  });

  it("DynamoDB Local: ListTables and CreateTable work (in memory)", async () => {
    const ddb = new DynamoDBClient(localDynamoDbClientConfig(dynamo.endpoint));
    try {
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      await ddb.send(
        new CreateTableCommand({
          TableName: "smoke",
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        }),
      );
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual(["smoke"]);
    } finally {
      ddb.destroy();
    }
  });

  it("cognito-local: seeded staff log in and get tokens jose can verify", async () => {
    const pool = await seedStaffPool(cognito.endpoint, STAFF);
    expect(pool.issuer).toBe(`http://127.0.0.1:${ports.cognito}/${pool.userPoolId}`);
    expect(pool.jwksUri).toBe(`${pool.issuer}/.well-known/jwks.json`);
    // Idempotent within one run.
    expect(await seedStaffPool(cognito.endpoint, STAFF)).toEqual(pool);

    const jwks = createRemoteJWKSet(new URL(pool.jwksUri));
    const client = localCognitoClient(cognito.endpoint);
    try {
      for (const user of STAFF.users) {
        const { AuthenticationResult } = await client.send(
          new InitiateAuthCommand({
            ClientId: pool.clientId,
            AuthFlow: "USER_PASSWORD_AUTH",
            AuthParameters: { USERNAME: user.email, PASSWORD: user.password },
          }),
        );
        const accessToken = AuthenticationResult?.AccessToken;
        const idToken = AuthenticationResult?.IdToken;
        if (!accessToken || !idToken) throw new Error("InitiateAuth returned no tokens");

        const access = await jwtVerify(accessToken, jwks, { issuer: pool.issuer });
        expect(access.protectedHeader).toMatchObject({ alg: "RS256", kid: "CognitoLocal" });
        expect(access.payload).toMatchObject({
          token_use: "access",
          client_id: pool.clientId,
          "cognito:groups": [user.group],
        });
        // The access token has no `aud` (like AWS); the id token's aud is the client id.
        expect(access.payload.aud).toBeUndefined();
        expect(typeof access.payload.exp).toBe("number");

        const id = await jwtVerify(idToken, jwks, { issuer: pool.issuer, audience: pool.clientId });
        expect(id.payload).toMatchObject({
          token_use: "id",
          email: user.email,
          email_verified: true,
          "cognito:groups": [user.group],
        });
      }

      const wrong = client.send(
        new InitiateAuthCommand({
          ClientId: pool.clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: STAFF.users[0]?.email ?? "", PASSWORD: "wrong" },
        }),
      );
      // cognito-local says InvalidPasswordException where AWS says NotAuthorizedException.
      await expect(wrong).rejects.toThrow(/password/i);
    } finally {
      client.destroy();
    }

    // A restart on the same data dir keeps the pool, client and users; seeding reuses them.
    await cognito.stop();
    cognito = await startCognitoLocal({ port: ports.cognito, dataDir: cognitoDir });
    expect(await seedStaffPool(cognito.endpoint, STAFF)).toEqual(pool);
  }, 30_000);

  it("SES local: store endpoint answers and records a sent email", async () => {
    const empty = await fetch(sesStoreUrl(ses.endpoint));
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ templates: {}, emails: [] });

    // SES v2 SendEmail over plain HTTP. The server only checks that an AWS-style
    // Authorization header is present, not the signature.
    const sent = await fetch(`${ses.endpoint}/v2/email/outbound-emails`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: "AWS4-HMAC-SHA256 Credential=local/20250101/us-east-1/ses/aws4_request",
      },
      body: JSON.stringify({
        FromEmailAddress: "bookings@clinic.test",
        Destination: { ToAddresses: ["client@clinic.test"] },
        Content: {
          Simple: {
            Subject: { Data: "Your appointment" },
            Body: { Text: { Data: "See you soon." } },
          },
        },
      }),
    });
    expect(sent.status).toBe(200);
    const { MessageId } = (await sent.json()) as { MessageId: string };

    const store = (await (await fetch(sesStoreUrl(ses.endpoint))).json()) as {
      emails: Array<Record<string, unknown>>;
    };
    expect(store.emails).toHaveLength(1);
    expect(store.emails[0]).toMatchObject({
      messageId: MessageId,
      from: "bookings@clinic.test",
      destination: { to: ["client@clinic.test"], cc: [], bcc: [] },
      subject: "Your appointment",
      body: { text: "See you soon." },
    });

    const viewer = await fetch(sesViewerUrl(ses.endpoint));
    expect(viewer.headers.get("content-type")).toContain("text/html");
  });
});
