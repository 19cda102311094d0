import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DomainError } from "../../domain/errors";

/** The one method the stores call on the document client. */
export type DocSender = Pick<DynamoDBDocumentClient, "send">;

const THROTTLING = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
]);

export const busy = (cause: unknown) =>
  new DomainError(
    "SERVICE_BUSY",
    "We are busy right now; please try again in a moment.",
    {},
    { cause },
  );

/** Throttling still there after the SDK's retries: the caller may try again shortly. */
function busyOr(error: unknown): unknown {
  return error instanceof Error && THROTTLING.has(error.name) ? busy(error) : error;
}

/** The client, with throttling that outlasted the SDK's retries turned into SERVICE_BUSY. */
export function throttlingAsBusy(doc: DynamoDBDocumentClient): DocSender {
  return {
    send: ((command: Parameters<DynamoDBDocumentClient["send"]>[0]) =>
      doc.send(command).catch((error: unknown) => {
        throw busyOr(error);
      })) as DynamoDBDocumentClient["send"],
  };
}

/** A conditional write refused: the item was not as the write expected. */
export const conditionFailed = (error: unknown): boolean =>
  error instanceof Error && error.name === "ConditionalCheckFailedException";
