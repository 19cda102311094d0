import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { TABLE_KEYS } from "../shared/adapters/dynamodb/table-definition";

const INDEX_LABELS: Record<string, string> = Object.fromEntries(
  Object.entries(TABLE_KEYS.indexes).map(([purpose, index]) => [
    index.name,
    purpose === "practitionerCalendar" ? "calendar" : purpose,
  ]),
);

/**
 * A finer view than the app's RoundTripCounter (which counts by operation name):
 * labels each Query by what it reads, so a catalog refresh (the store's catalog
 * cache expires every 30 s) is not mistaken for a per-practitioner calendar Query.
 * Labels: `Query(calendar)` on the practitioner-calendar index, `Query(<purpose>)`
 * on the other indexes, `Query(catalog)` on PK = LOC#<loc>, `Query(booking)` on a
 * booking's partition, `Query(audit)`, `Query(other)`.
 */
export class LabelledRoundTrips {
  private counts = new Map<string, number>();
  private transactSizes = new Map<number, number>();

  attach(client: DynamoDBClient): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const op = String(context.commandName ?? "unknown").replace(/Command$/, "");
        const label = op === "Query" ? `Query(${queryKind(args.input)})` : op;
        if (op === "TransactWriteItems") {
          const n = (args.input as { TransactItems?: unknown[] }).TransactItems?.length ?? 0;
          this.transactSizes.set(n, (this.transactSizes.get(n) ?? 0) + 1);
        }
        this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
        return next(args);
      },
      { step: "initialize", name: "benchLabelledRoundTrips" },
    );
    return this;
  }

  reset(): void {
    this.counts = new Map();
  }

  /** How many transactions of each size (items) were sent since the last call; clears. */
  takeTransactSizes(): Record<string, number> {
    const out = Object.fromEntries(this.transactSizes);
    this.transactSizes = new Map();
    return out;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

function queryKind(input: unknown): string {
  const i = input as {
    IndexName?: string;
    ExpressionAttributeValues?: Record<string, unknown>;
  };
  if (i.IndexName) return INDEX_LABELS[i.IndexName] ?? i.IndexName;
  const raw = i.ExpressionAttributeValues?.[":pk"];
  const pk = typeof raw === "string" ? raw : (raw as { S?: string } | undefined)?.S;
  if (pk === undefined) return "other";
  if (/^LOC#[^#]+$/.test(pk)) return "catalog";
  if (pk.includes("#BOOKING#")) return "booking";
  if (pk.endsWith("#AUDIT")) return "audit";
  return "other";
}
