import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * Counts DynamoDB round trips per operation name (GetItem, Query, TransactWriteItems…)
 * with an SDK middleware, so benchmarks and tests can hold the request path to its budget.
 */
export class RoundTripCounter {
  readonly counts = new Map<string, number>();

  attach(client: DynamoDBClient): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName ?? "unknown").replace(/Command$/, "");
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: "initialize", name: "roundTripCounter" },
    );
    return this;
  }

  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  reset(): void {
    this.counts.clear();
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
