import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import {
  type StaffPool,
  seedStaffPool,
  startCognitoLocal,
} from "../../local/services/cognito-local";
import { startDynamoDbLocal } from "../../local/services/dynamodb-local";
import { assertJava17 } from "../../local/services/java";
import { findFreePort } from "../../local/services/ports";
import type { RunningService } from "../../local/services/running-service";
import { startSesLocal } from "../../local/services/ses-local";
import { TEST_STAFF } from "./staff-users";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    cognitoEndpoint: string;
    staffPool: StaffPool;
    sesEndpoint: string;
  }
}

/**
 * Starts the real local services once for the run, on free ports so a running
 * `npm start` is never touched. Missing Java fails the run with what to install.
 */
export default async function setup(project: TestProject) {
  await assertJava17();
  const services: RunningService[] = [];
  const cognitoDir = mkdtempSync(join(tmpdir(), "clinic-cognito-"));
  try {
    const [dynamo, cognito, ses] = await Promise.all([
      findFreePort().then((port) => startDynamoDbLocal({ port })),
      findFreePort().then((port) => startCognitoLocal({ port, dataDir: cognitoDir })),
      findFreePort().then((port) => startSesLocal({ port })),
    ]);
    services.push(dynamo, cognito, ses);
    const pool = await seedStaffPool(cognito.endpoint, {
      poolName: "test-staff",
      clientName: "test-console",
      users: TEST_STAFF.filter((u) => u.group !== null).map((u) => ({
        email: u.email,
        password: u.password,
        group: u.group as "receptionist" | "admin",
      })),
    });
    await seedUserWithoutGroup(cognito.endpoint, pool.userPoolId);
    project.provide("dynamoEndpoint", dynamo.endpoint);
    project.provide("cognitoEndpoint", cognito.endpoint);
    project.provide("staffPool", pool);
    project.provide("sesEndpoint", ses.endpoint);
  } catch (error) {
    await Promise.allSettled(services.map((s) => s.stop()));
    throw error;
  }
  return async () => {
    await Promise.allSettled(services.map((s) => s.stop()));
    rmSync(cognitoDir, { recursive: true, force: true });
  };
}

async function seedUserWithoutGroup(endpoint: string, userPoolId: string) {
  const { AdminCreateUserCommand, AdminSetUserPasswordCommand } = await import(
    "@aws-sdk/client-cognito-identity-provider"
  );
  const { localCognitoClient } = await import("../../local/services/cognito-local");
  const client = localCognitoClient(endpoint);
  const user = TEST_STAFF.find((u) => u.group === null);
  if (!user) return;
  await client.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: user.email,
      MessageAction: "SUPPRESS",
      UserAttributes: [{ Name: "email", Value: user.email }],
    }),
  );
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPoolId,
      Username: user.email,
      Password: user.password,
      Permanent: true,
    }),
  );
}
