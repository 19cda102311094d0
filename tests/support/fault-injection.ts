import { type DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";

/**
 * Makes the next `times` TransactWriteItems calls fail the way real DynamoDB does
 * under contention (DynamoDB Local runs transactions one at a time and never does).
 * Returns how many were injected so far.
 */
export function injectTransactionConflicts(client: DynamoDBClient, times: number) {
  let injected = 0;
  const name = `conflict-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "TransactWriteItemsCommand" && injected < times) {
        injected++;
        const items = (args.input as { TransactItems?: unknown[] }).TransactItems ?? [];
        throw new TransactionCanceledException({
          message:
            "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]",
          $metadata: { httpStatusCode: 400 },
          CancellationReasons: items.map((_, i) => ({
            Code: i === 0 ? "TransactionConflict" : "None",
          })),
        });
      }
      return next(args);
    },
    { step: "initialize", name },
  );
  return {
    count: () => injected,
    remove: () => client.middlewareStack.remove(name),
  };
}
