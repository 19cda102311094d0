import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";

/**
 * Faults injected into a real SDK client's middleware stack, so the adapter under
 * test, the SDK's own retry strategy and its error parsing all run as in production.
 *
 * - `answerWithError` answers a call with the HTTP error response the service would
 *   send (nothing leaves the machine): the SDK parses it into its real exception
 *   class and retries it exactly as it would a real one.
 * - `failAfterAcceptance` lets the call reach the service (which acts on it) and
 *   then loses the answer, like a timeout after the request was accepted.
 *
 * Both sit in the deserialize step, inside the SDK's retry loop: each SDK attempt
 * counts as one call.
 */

type Client = {
  middlewareStack: {
    add: (...args: any[]) => void;
    remove: (name: string) => boolean;
  };
};

export interface Fault {
  /** How many calls were faulted so far. */
  count(): number;
  /** How many matching calls were seen (faulted or not). */
  seen(): number;
  remove(): void;
}

interface FaultOptions {
  /** SDK command names, e.g. "GetItemCommand" (the DocumentClient's GetCommand is GetItemCommand). */
  commands: string[];
  /** Fault this many matching calls (Infinity: all), after letting `skip` through. */
  times: number;
  skip?: number;
}

function install(
  client: Client,
  options: FaultOptions,
  handler: (next: (args: unknown) => Promise<unknown>, args: unknown) => Promise<unknown>,
): Fault {
  let faulted = 0;
  let seen = 0;
  const name = `fault-${Math.random().toString(36).slice(2)}`;
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        if (!options.commands.includes(context.commandName ?? "")) return next(args);
        seen++;
        if (seen <= (options.skip ?? 0) || faulted >= options.times) return next(args);
        faulted++;
        return handler(next, args);
      },
    { step: "deserialize", priority: "low", name },
  );
  return {
    count: () => faulted,
    seen: () => seen,
    remove: () => void client.middlewareStack.remove(name),
  };
}

/** A raw HTTP response, as the SDK's request handler would return it. */
function httpResponse(statusCode: number, contentType: string, body: string) {
  return {
    response: {
      statusCode,
      reason: statusCode >= 500 ? "Internal Server Error" : "Bad Request",
      headers: {
        "content-type": contentType,
        "x-amzn-requestid": `fault-${Math.random().toString(36).slice(2)}`,
      },
      body: Buffer.from(body),
    },
  };
}

/** Answers calls with an HTTP error response the SDK parses into its real exception. */
export function answerWithError(
  client: Client,
  options: FaultOptions & {
    status: number;
    contentType: string;
    body: (input: Record<string, unknown>) => string;
  },
): Fault {
  return install(client, options, async (_next, args) => {
    const input = ((args as { input?: Record<string, unknown> }).input ?? {}) as Record<
      string,
      unknown
    >;
    return httpResponse(options.status, options.contentType, options.body(input));
  });
}

const DYNAMO_JSON = "application/x-amz-json-1.0";
const dynamoError = (type: string, message: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra });

/**
 * DynamoDB throttling on the named commands: `ProvisionedThroughputExceededException`
 * (a provisioned table or a hot partition) or `ThrottlingException` (on-demand
 * beyond its limits). The SDK retries both with backoff before giving up.
 */
export function throttleDynamo(
  client: DynamoDBClient,
  commands: string[],
  times: number,
  type:
    | "ProvisionedThroughputExceededException"
    | "ThrottlingException" = "ProvisionedThroughputExceededException",
  skip = 0,
): Fault {
  return answerWithError(client as unknown as Client, {
    commands,
    times,
    skip,
    status: 400,
    contentType: DYNAMO_JSON,
    body: () =>
      dynamoError(
        type,
        type === "ThrottlingException"
          ? "Throughput exceeds the current capacity for one or more global secondary indexes."
          : "The level of configured provisioned throughput for the table was exceeded.",
      ),
  });
}

/**
 * TransactWriteItems cancelled with `reason` on its first item and `None` on the
 * rest, as real DynamoDB answers (a `ThrottlingError` on one item, or a
 * `TransactionConflict` with a concurrent writer). The SDK does not retry these.
 */
export function cancelTransactions(
  client: DynamoDBClient,
  times: number,
  reason: "ThrottlingError" | "TransactionConflict",
): Fault {
  return answerWithError(client as unknown as Client, {
    commands: ["TransactWriteItemsCommand"],
    times,
    status: 400,
    contentType: DYNAMO_JSON,
    body: (input) => {
      const items = (input.TransactItems as unknown[] | undefined) ?? [];
      const codes = items.map((_, i) => (i === 0 ? reason : "None"));
      return dynamoError(
        "TransactionCanceledException",
        `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(", ")}]`,
        {
          CancellationReasons: codes.map((Code) =>
            Code === "ThrottlingError"
              ? { Code, Message: "Throughput exceeds the current capacity of your table or index." }
              : Code === "TransactionConflict"
                ? { Code, Message: "Transaction is ongoing for the item" }
                : { Code },
          ),
        },
      );
    },
  });
}

/**
 * Lets matching calls reach the service (which acts on them: an item is written, an
 * email accepted) and then throws what the SDK's HTTP handler throws when the answer
 * never comes back in time.
 */
export function failAfterAcceptance(client: Client, options: FaultOptions): Fault {
  return install(client, options, async (next, args) => {
    await next(args);
    throw Object.assign(new Error("Connection timed out after 10000 ms"), {
      name: "TimeoutError",
      code: "ETIMEDOUT",
    });
  });
}

/**
 * SES (the v1 Query API) answering SendRawEmail with its throttling error or a 5xx,
 * before accepting anything.
 */
export function sesError(client: Client, kind: "throttling" | "server-error", times: number) {
  const [status, type, code, message] =
    kind === "throttling"
      ? [400, "Sender", "Throttling", "Maximum sending rate exceeded."]
      : [500, "Receiver", "InternalFailure", "The request processing has failed."];
  return answerWithError(client, {
    commands: ["SendRawEmailCommand"],
    times,
    status,
    contentType: "text/xml",
    body: () =>
      `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>`,
  });
}

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

// ---------------------------------------------------------------------------

export interface TableSnapshot {
  bookings: {
    id: string;
    start: string;
    status: string;
    practitionerId: string;
    patientId: string;
    locks: string[];
  }[];
  locks: { practitionerId: string; instant: string; bookingId: string }[];
  patients: { id: string; email: string; sessions: { bookingId: string; status: string }[] }[];
  followUps: {
    bookingId: string;
    step: string;
    status: string;
    to?: string;
    messageId?: string;
    dueAt: string;
  }[];
  /** Every way the table is half-written; empty when whole. */
  problems: string[];
}

/**
 * Reads the whole table (a test may Scan; the app never does) and lists what a
 * fault may never leave behind: a booking without its slot locks or its patient's
 * record, a lock without its booking, a session or follow-up of no booking.
 */
export async function tableIntegrity(
  doc: import("@aws-sdk/lib-dynamodb").DynamoDBDocumentClient,
  tableName: string,
): Promise<TableSnapshot> {
  const { ScanCommand } = await import("@aws-sdk/lib-dynamodb");
  const items: Record<string, any>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey }),
    );
    items.push(...(out.Items ?? []));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);

  const snap: TableSnapshot = {
    bookings: [],
    locks: [],
    patients: [],
    followUps: [],
    problems: [],
  };
  for (const i of items) {
    if (i.type === "booking") snap.bookings.push(i as TableSnapshot["bookings"][number]);
    else if (i.type === "patient") snap.patients.push(i as TableSnapshot["patients"][number]);
    else if (i.type === "follow-up") snap.followUps.push(i as TableSnapshot["followUps"][number]);
    else if (i.type === "lock") {
      const [, , , practitionerId, instant] = String(i.PK).split("#");
      snap.locks.push({
        practitionerId: practitionerId ?? "",
        instant: instant ?? "",
        bookingId: String(i.bookingId),
      });
    }
  }
  const bookings = new Map(snap.bookings.map((b) => [b.id, b]));
  const patients = new Map(snap.patients.map((p) => [p.id, p]));
  const lockKey = (practitionerId: string, instant: string) => `${practitionerId}#${instant}`;
  const locks = new Map(snap.locks.map((l) => [lockKey(l.practitionerId, l.instant), l]));
  const p = snap.problems;

  for (const b of snap.bookings) {
    const holds = b.status === "confirmed" || b.status === "completed";
    if (holds && b.locks.length === 0) p.push(`booking ${b.id} holds no locks`);
    for (const instant of b.locks) {
      const lock = locks.get(lockKey(b.practitionerId, instant));
      if (!lock) p.push(`booking ${b.id} misses its lock ${instant}`);
      else if (lock.bookingId !== b.id)
        p.push(`booking ${b.id}: lock ${instant} belongs to ${lock.bookingId}`);
    }
    const patient = patients.get(b.patientId);
    if (!patient) p.push(`booking ${b.id} has no patient record`);
    else if (b.status !== "cancelled" && !patient.sessions.some((s) => s.bookingId === b.id))
      p.push(`booking ${b.id} is missing from its patient's sessions`);
  }
  for (const l of snap.locks) {
    const b = bookings.get(l.bookingId);
    if (!b) p.push(`orphan lock ${l.practitionerId} ${l.instant} of ${l.bookingId}`);
    else if (b.practitionerId !== l.practitionerId || !b.locks.includes(l.instant))
      p.push(`lock ${l.practitionerId} ${l.instant} not held by its booking ${l.bookingId}`);
  }
  for (const pt of snap.patients) {
    for (const s of pt.sessions) {
      if (!bookings.has(s.bookingId))
        p.push(`patient ${pt.id}: session of no booking ${s.bookingId}`);
    }
  }
  for (const f of snap.followUps) {
    if (!bookings.has(f.bookingId)) p.push(`follow-up ${f.bookingId}/${f.step} of no booking`);
  }
  return snap;
}
