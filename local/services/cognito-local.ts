// cognito-local: a Cognito user pool emulator (users, groups, USER_PASSWORD_AUTH, RS256 JWTs + JWKS).
import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { assertPortFree } from "./ports";
import { type RunningService, superviseChild } from "./running-service";

export type CognitoLocalOptions = {
  port: number;
  /** cognito-local keeps everything in `<dataDir>/.cognito/` (config.json, db/<poolId>.json, db/clients.json). */
  dataDir: string;
  portEnvVar?: string;
};

function cognitoCliPath(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve("cognito-local/package.json");
  const pkg = require(pkgPath) as { bin: string };
  return join(dirname(pkgPath), pkg.bin);
}

export async function startCognitoLocal(options: CognitoLocalOptions): Promise<RunningService> {
  const { port, portEnvVar = "COGNITO_PORT" } = options;
  await assertPortFree(port, "cognito-local", portEnvVar);
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });

  // cognito-local reads PORT and HOST (default localhost:9229) and uses `.cognito` relative to
  // its cwd. HOST also becomes the token issuer domain, so it must match the endpoint we return.
  const child = spawn(process.execPath, [cognitoCliPath()], {
    cwd: dataDir,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return superviseChild({
    name: "cognito-local",
    endpoint,
    child,
    timeoutMs: 45_000,
    ready: async () => (await fetch(`${endpoint}/health`)).ok,
  });
}

export type StaffGroup = "receptionist" | "admin";
export type StaffUser = { email: string; password: string; group: StaffGroup };
export type SeedStaffPoolOptions = { poolName: string; clientName: string; users: StaffUser[] };
export type StaffPool = { userPoolId: string; clientId: string; issuer: string; jwksUri: string };

const STAFF_GROUPS: StaffGroup[] = ["receptionist", "admin"];

/** Any credentials work; cognito-local ignores signatures and the region. */
export function localCognitoClient(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

/**
 * Creates (or reuses, matched by name) the staff pool, its app client, the two groups and the
 * users. Safe to run on every start: existing users keep their password and are only re-added
 * to their group.
 */
export async function seedStaffPool(
  endpoint: string,
  options: SeedStaffPoolOptions,
): Promise<StaffPool> {
  const base = endpoint.replace(/\/+$/, "");
  const cognito = localCognitoClient(base);
  try {
    const userPoolId = await ensurePool(cognito, options.poolName);
    const clientId = await ensureClient(cognito, userPoolId, options.clientName);
    await ensureGroups(cognito, userPoolId);
    for (const user of options.users) await ensureUser(cognito, userPoolId, user);
    // cognito-local signs with iss = http://<HOST>:<PORT>/<poolId> (the same shape as AWS's
    // https://cognito-idp.<region>.amazonaws.com/<poolId>) and serves the JWKS under it.
    const issuer = `${base}/${userPoolId}`;
    return { userPoolId, clientId, issuer, jwksUri: `${issuer}/.well-known/jwks.json` };
  } finally {
    cognito.destroy();
  }
}

async function ensurePool(cognito: CognitoIdentityProviderClient, name: string): Promise<string> {
  const { UserPools = [] } = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  const existing = UserPools.find((pool) => pool.Name === name)?.Id;
  if (existing) return existing;
  const { UserPool } = await cognito.send(
    new CreateUserPoolCommand({
      PoolName: name,
      // Email sign-in like a typical staff pool; Cognito then stores a UUID as the username.
      UsernameAttributes: ["email"],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    }),
  );
  if (!UserPool?.Id) throw new Error("CreateUserPool returned no pool id");
  return UserPool.Id;
}

async function ensureClient(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  name: string,
): Promise<string> {
  const { UserPoolClients = [] } = await cognito.send(
    new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }),
  );
  const existing = UserPoolClients.find((client) => client.ClientName === name)?.ClientId;
  if (existing) return existing;
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: name,
      GenerateSecret: false,
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }),
  );
  if (!UserPoolClient?.ClientId) throw new Error("CreateUserPoolClient returned no client id");
  return UserPoolClient.ClientId;
}

async function ensureGroups(cognito: CognitoIdentityProviderClient, userPoolId: string) {
  const { Groups = [] } = await cognito.send(new ListGroupsCommand({ UserPoolId: userPoolId }));
  const existing = new Set(Groups.map((group) => group.GroupName));
  for (const GroupName of STAFF_GROUPS) {
    if (!existing.has(GroupName)) {
      await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName }));
    }
  }
}

async function ensureUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  user: StaffUser,
) {
  const exists = await cognito
    .send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: user.email }))
    .then(
      () => true,
      (error: Error) => {
        if (error.name === "UserNotFoundException") return false;
        throw error;
      },
    );
  if (!exists) {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: user.email,
        // SUPPRESS: no welcome message (cognito-local would print the temporary password).
        MessageAction: "SUPPRESS",
        UserAttributes: [
          { Name: "email", Value: user.email },
          { Name: "email_verified", Value: "true" },
        ],
      }),
    );
    // Permanent: skip the NEW_PASSWORD_REQUIRED challenge, the user can log in right away.
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: user.email,
        Password: user.password,
        Permanent: true,
      }),
    );
  }
  // Idempotent in cognito-local and in AWS.
  await cognito.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: userPoolId,
      Username: user.email,
      GroupName: user.group,
    }),
  );
}
