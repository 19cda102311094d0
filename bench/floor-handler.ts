import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { Hono } from "hono";
import { handle } from "hono/aws-lambda";
import { createDocumentClient } from "../shared/adapters/dynamodb/clients";
import { keys } from "../shared/adapters/dynamodb/keys";

/**
 * The floor of the api's cold start (bench/bundle.ts): the least a real handler of this
 * table pays. A minimal Hono app with the api's DynamoDB clients, built on the first
 * invocation as the api builds its own, answering `/health` and `/api/treatments` with
 * one Query of the catalog partition. Bundled with the api's options (infra/bundling.ts).
 */
function build() {
  const tableName = process.env.TABLE_NAME ?? "";
  const locationId = process.env.LOCATION_ID ?? "";
  const { doc } = createDocumentClient({});
  const app = new Hono();
  app.get("/health", (c) => c.json({ ok: true }));
  app.get("/api/treatments", async (c) => {
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": keys.catalogPartition(locationId) },
      }),
    );
    const treatments = (out.Items ?? [])
      .filter((i) => i.type === "treatment")
      .map((t) => ({
        id: t.id,
        name: t.name,
        durationMinutes: t.durationMinutes,
        minIntervalDays: t.minIntervalDays,
      }));
    return c.json({ treatments });
  });
  return handle(app);
}

let ready: ReturnType<typeof build> | undefined;

export const handler = (...args: Parameters<ReturnType<typeof build>>) => {
  ready ??= build();
  return ready(...args);
};
