import { createHash } from "node:crypto";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { AftercarePlan } from "../../domain/aftercare-plan";
import type { BusyInterval } from "../../domain/availability";
import type { Booking } from "../../domain/booking";
import type { Catalog } from "../../domain/catalog";
import { DomainError } from "../../domain/errors";
import type { FollowUp } from "../../domain/follow-ups";
import { holdsSlot } from "../../domain/lifecycle";
import {
  type AuditEntry,
  type BookingStore,
  type BookingWrite,
  FOLLOW_UP_CLAIM_LEASE_MS,
  type FollowUpStore,
  IdempotencyRaceError,
  type IdempotencyRecord,
  type PatientRecord,
  type PatientWrite,
  StaleReadError,
} from "../../ports";
import { catalogFromItems } from "./catalog-writer";
import { keys } from "./keys";
import { TABLE_KEYS } from "./table-definition";

type Item = Record<string, unknown>;
type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]
>[number];
type ActionKind = "booking" | "lock" | "unlock" | "patient" | "audit" | "idempotency" | "follow-up";

const DAY_MS = 86_400_000;
const IDEMPOTENCY_TTL_S = 24 * 3600;
const KEY_ATTRS = [
  "PK",
  "SK",
  "GSI1PK",
  "GSI1SK",
  "GSI2PK",
  "GSI2SK",
  "GSI3PK",
  "GSI3SK",
  "expiresAt",
  "type",
];
/** A schedule may fire a little early (clock skew); never more than this. */
const EARLY_FIRE_MS = 5 * 60_000;

function strip<T>(item: Item): T {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRS.includes(k)) out[k] = v;
  return out as T;
}

/** The stored shape of a booking (exported for bulk loads in benchmarks). */
export function bookingItem(b: Booking): Item {
  const { practitionerCalendar: g1, daySchedule: g2 } = TABLE_KEYS.indexes;
  return {
    ...keys.booking(b.locationId, b.id),
    type: "booking",
    ...b,
    // Only bookings that hold the practitioner's time appear in the availability index.
    ...(holdsSlot(b.status)
      ? {
          [g1.partitionKey]: keys.practitionerCalendar(b.locationId, b.practitionerId),
          [g1.sortKey]: `${b.start}#${b.id}`,
        }
      : {}),
    [g2.partitionKey]: keys.daySchedule(b.locationId, b.date),
    [g2.sortKey]: `${b.start}#${b.id}`,
  };
}

export function followUpItem(f: FollowUp): Item {
  const g3 = TABLE_KEYS.indexes.dueFollowUps;
  return {
    ...keys.followUp(f.locationId, f.bookingId, f.step),
    type: "follow-up",
    ...f,
    // Scheduled follow-ups are in the due index (the local runner and repair read it), and
    // so are claimed ones, at the end of their lease (see `claim`); final ones are not.
    ...(f.status === "scheduled"
      ? { [g3.partitionKey]: keys.dueFollowUps(f.locationId), [g3.sortKey]: `${f.dueAt}#${f.id}` }
      : {}),
  };
}

export interface DynamoBookingStoreOptions {
  /** How long a clinic's catalog is reused before it is read again (0: never cached). */
  catalogTtlMs?: number;
}

/** BookingStore on one DynamoDB table. Takes its client and table name; builds nothing. */
export class DynamoBookingStore implements BookingStore, FollowUpStore {
  private readonly catalogCache = new Map<string, { at: number; value: Promise<Catalog> }>();
  private readonly catalogTtlMs: number;

  /** The client, with throttling that outlasted the SDK's retries turned into SERVICE_BUSY. */
  private readonly doc: Pick<DynamoDBDocumentClient, "send">;

  constructor(
    doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoBookingStoreOptions = {},
  ) {
    this.catalogTtlMs = options.catalogTtlMs ?? 30_000;
    this.doc = {
      send: ((command: Parameters<DynamoDBDocumentClient["send"]>[0]) =>
        doc.send(command).catch((error: unknown) => {
          throw busyOr(error);
        })) as DynamoDBDocumentClient["send"],
    };
  }

  async catalog(locationId: string): Promise<Catalog> {
    const cached = this.catalogCache.get(locationId);
    if (cached && Date.now() - cached.at < this.catalogTtlMs) return cached.value;
    const value = this.readCatalog(locationId);
    this.catalogCache.set(locationId, { at: Date.now(), value });
    value.catch(() => this.catalogCache.delete(locationId));
    return value;
  }

  private async readCatalog(locationId: string): Promise<Catalog> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": keys.catalogPartition(locationId) },
    });
    return catalogFromItems(locationId, items);
  }

  async patient(locationId: string, patientId: string): Promise<PatientRecord | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.patient(locationId, patientId),
        ConsistentRead: true,
      }),
    );
    return out.Item ? strip<PatientRecord>(out.Item) : null;
  }

  async booking(locationId: string, bookingId: string): Promise<Booking | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.booking(locationId, bookingId),
        ConsistentRead: true,
      }),
    );
    return out.Item ? strip<Booking>(out.Item) : null;
  }

  async busy(
    locationId: string,
    practitionerId: string,
    fromMs: number,
    toMs: number,
  ): Promise<BusyInterval[]> {
    const g1 = TABLE_KEYS.indexes.practitionerCalendar;
    // A session never spans a whole day, so one that overlaps `from` starts after from - 1 day.
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: g1.name,
      KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :a AND :b",
      ExpressionAttributeNames: { "#pk": g1.partitionKey, "#sk": g1.sortKey, "#start": "start" },
      ExpressionAttributeValues: {
        ":pk": keys.practitionerCalendar(locationId, practitionerId),
        ":a": new Date(fromMs - DAY_MS).toISOString(),
        ":b": new Date(toMs).toISOString(),
      },
      ProjectionExpression: "#start, blockedUntil",
    });
    return items
      .map((i) => ({
        practitionerId,
        start: Date.parse(String(i.start)),
        end: Date.parse(String(i.blockedUntil)),
      }))
      .filter((b) => b.end > fromMs && b.start < toMs);
  }

  async schedule(locationId: string, date: string): Promise<Booking[]> {
    const g2 = TABLE_KEYS.indexes.daySchedule;
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: g2.name,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": g2.partitionKey },
      ExpressionAttributeValues: { ":pk": keys.daySchedule(locationId, date) },
    });
    return items.map((i) => strip<Booking>(i));
  }

  async audit(locationId: string, fromIso: string, toIso: string): Promise<AuditEntry[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :a AND :b",
      ExpressionAttributeValues: {
        ":pk": keys.auditPartition(locationId),
        ":a": fromIso,
        ":b": `${toIso}~`,
      },
    });
    return items.map((i) => strip<AuditEntry>(i));
  }

  async idempotency(locationId: string, key: string): Promise<IdempotencyRecord | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.idempotency(locationId, key),
        ConsistentRead: true,
      }),
    );
    return out.Item ? strip<IdempotencyRecord>(out.Item) : null;
  }

  async bookingWithFollowUps(
    locationId: string,
    bookingId: string,
  ): Promise<{ booking: Booking; followUps: FollowUp[] } | null> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": keys.booking(locationId, bookingId).PK },
      ConsistentRead: true,
    });
    const bookingItem = items.find((i) => i.SK === "BOOKING");
    if (!bookingItem) return null;
    return {
      booking: strip<Booking>(bookingItem),
      followUps: items
        .filter((i) => String(i.SK).startsWith("FOLLOWUP#"))
        .map((i) => strip<FollowUp>(i)),
    };
  }

  async currentPlan(locationId: string): Promise<AftercarePlan | null> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": keys.planPartition(locationId) },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    return item ? strip<AftercarePlan>(item) : null;
  }

  async savePlan(locationId: string, plan: AftercarePlan): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.plan(locationId, plan.version), type: "plan", ...plan },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") {
        throw new StaleReadError(`Plan version ${plan.version} exists already`);
      }
      throw error;
    }
  }

  /**
   * A claimed follow-up stays in the due index, due again at the end of its lease: if
   * the claim is never finished or released (the process died), the local runner and
   * the repair sweep find it there and settle it (`runFollowUp`).
   */
  async claim(
    locationId: string,
    bookingId: string,
    step: string,
    now: Date,
  ): Promise<FollowUp | null> {
    const g3 = TABLE_KEYS.indexes.dueFollowUps;
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.followUp(locationId, bookingId, step),
          UpdateExpression:
            "SET #status = :sending, claimedAt = :now, updatedAt = :now, #g3sk = :lease ADD attempts :one",
          ConditionExpression: "#status = :scheduled AND dueAt <= :latest",
          ExpressionAttributeNames: { "#status": "status", "#g3sk": g3.sortKey },
          ExpressionAttributeValues: {
            ":sending": "sending",
            ":scheduled": "scheduled",
            ":now": now.toISOString(),
            ":latest": new Date(now.getTime() + EARLY_FIRE_MS).toISOString(),
            ":one": 1,
            // An index's sort key need not be unique; the suffix only orders ties.
            ":lease": `${new Date(now.getTime() + FOLLOW_UP_CLAIM_LEASE_MS).toISOString()}#${bookingId}/${step}`,
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return out.Attributes ? strip<FollowUp>(out.Attributes) : null;
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") return null;
      throw error;
    }
  }

  async get(locationId: string, bookingId: string, step: string): Promise<FollowUp | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.followUp(locationId, bookingId, step),
        ConsistentRead: true,
      }),
    );
    return out.Item ? strip<FollowUp>(out.Item) : null;
  }

  async release(claimed: FollowUp): Promise<void> {
    const g3 = TABLE_KEYS.indexes.dueFollowUps;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.followUp(claimed.locationId, claimed.bookingId, claimed.step),
          UpdateExpression:
            "SET #status = :scheduled, #g3pk = :g3pk, #g3sk = :g3sk REMOVE claimedAt",
          ConditionExpression: "#status = :sending AND claimedAt = :claimedAt",
          ExpressionAttributeNames: {
            "#status": "status",
            "#g3pk": g3.partitionKey,
            "#g3sk": g3.sortKey,
          },
          ExpressionAttributeValues: {
            ":scheduled": "scheduled",
            ":sending": "sending",
            ":claimedAt": claimed.claimedAt,
            ":g3pk": keys.dueFollowUps(claimed.locationId),
            ":g3sk": `${claimed.dueAt}#${claimed.id}`,
          },
        }),
      );
    } catch (error) {
      // Replaced meanwhile by a change to the booking: nothing to give back.
      if (!(error instanceof Error && error.name === "ConditionalCheckFailedException"))
        throw error;
    }
  }

  async finish(
    claimed: FollowUp,
    outcome: Parameters<FollowUpStore["finish"]>[1],
  ): Promise<boolean> {
    const g3 = TABLE_KEYS.indexes.dueFollowUps;
    const values: Record<string, unknown> = {
      ":status": outcome.status,
      ":at": outcome.at.toISOString(),
      ":sending": "sending",
      ":claimedAt": claimed.claimedAt,
    };
    const sets = ["#status = :status", "updatedAt = :at"];
    if (outcome.status === "sent") sets.push("sentAt = :at");
    const names: Record<string, string> = { "#status": "status" };
    // Named through placeholders: ERROR is a reserved word in DynamoDB expressions.
    for (const field of ["messageId", "error", "rendered"] as const) {
      if (outcome[field] !== undefined) {
        sets.push(`#${field} = :${field}`);
        names[`#${field}`] = field;
        values[`:${field}`] = outcome[field];
      }
    }
    // A final follow-up leaves the due index.
    names["#g3pk"] = g3.partitionKey;
    names["#g3sk"] = g3.sortKey;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.followUp(claimed.locationId, claimed.bookingId, claimed.step),
          UpdateExpression: `SET ${sets.join(", ")} REMOVE #g3pk, #g3sk`,
          ConditionExpression: "#status = :sending AND claimedAt = :claimedAt",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  async due(locationId: string, asOf: Date, limit: number) {
    const g3 = TABLE_KEYS.indexes.dueFollowUps;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: g3.name,
        KeyConditionExpression: "#pk = :pk AND #sk <= :asOf",
        ExpressionAttributeNames: { "#pk": g3.partitionKey, "#sk": g3.sortKey },
        ExpressionAttributeValues: {
          ":pk": keys.dueFollowUps(locationId),
          // "~" sorts after every id, so items due exactly at asOf are included.
          ":asOf": `${asOf.toISOString()}~`,
        },
        Limit: limit,
      }),
    );
    // The instant the index holds: the due time, or for a claim the end of its lease.
    return (out.Items ?? []).map((i) => ({
      bookingId: String(i.bookingId),
      step: String(i.step),
      dueAt: String(i[g3.sortKey]).split("#")[0] as string,
    }));
  }

  async claimOnce(locationId: string, key: string, ttlSeconds: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.once(locationId, key),
            type: "once",
            expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  async write(change: BookingWrite): Promise<void> {
    const { booking, previous, patient } = change;
    const loc = booking.locationId;
    const actions: TransactItem[] = [];
    const kinds: ActionKind[] = [];
    const add = (kind: ActionKind, action: TransactItem) => {
      kinds.push(kind);
      actions.push(action);
    };

    add("booking", {
      Put: {
        TableName: this.tableName,
        Item: bookingItem(booking),
        ...(previous
          ? {
              ConditionExpression: "version = :v",
              ExpressionAttributeValues: { ":v": previous.version },
            }
          : { ConditionExpression: "attribute_not_exists(PK)" }),
      },
    });

    const held = new Set(previous?.locks ?? []);
    const wanted = new Set(booking.locks);
    const oldPractitioner = previous?.practitionerId ?? booking.practitionerId;
    for (const instant of held) {
      if (wanted.has(instant) && oldPractitioner === booking.practitionerId) continue;
      // A lock already gone (expired by TTL) is as good as released.
      add("unlock", {
        Delete: {
          TableName: this.tableName,
          Key: keys.lock(loc, oldPractitioner, instant),
          ConditionExpression: "attribute_not_exists(PK) OR bookingId = :id",
          ExpressionAttributeValues: { ":id": booking.id },
        },
      });
    }
    for (const instant of wanted) {
      if (held.has(instant) && oldPractitioner === booking.practitionerId) continue;
      add("lock", {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.lock(loc, booking.practitionerId, instant),
            type: "lock",
            bookingId: booking.id,
            expiresAt: Math.floor(Date.parse(instant) / 1000) + 86_400,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      });
    }

    add("patient", this.patientPut(patient, change.expectedPatientVersion));

    if (change.audit) {
      add("audit", {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.audit(loc, change.audit.at, change.audit.id),
            type: "audit",
            ...change.audit,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      });
    }
    this.addFollowUps(add, change.followUps ?? [], change.cancelledFollowUps ?? []);
    this.addSessionCopies(add, patient, [
      ...(change.followUps ?? []),
      ...(change.cancelledFollowUps ?? []),
    ]);
    if (change.idempotency) {
      add("idempotency", {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.idempotency(loc, change.idempotency.key),
            type: "idempotency",
            ...change.idempotency,
            expiresAt: Math.floor(Date.now() / 1000) + IDEMPOTENCY_TTL_S,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      });
    }

    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: actions }));
    } catch (error) {
      throw translateCancellation(error, kinds);
    }
  }

  /**
   * New follow-ups must be new; a stopped one must still be pending, so a follow-up
   * sent meanwhile is never overwritten (the change is then decided again).
   */
  private addFollowUps(
    add: (kind: ActionKind, action: TransactItem) => void,
    created: FollowUp[],
    cancelled: FollowUp[],
  ) {
    for (const f of created) {
      add("follow-up", {
        Put: {
          TableName: this.tableName,
          Item: followUpItem(f),
          ConditionExpression: "attribute_not_exists(PK)",
        },
      });
    }
    for (const f of cancelled) {
      add("follow-up", {
        Put: {
          TableName: this.tableName,
          Item: followUpItem(f),
          ConditionExpression: "#status = :scheduled",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":scheduled": "scheduled" },
        },
      });
    }
  }

  /** Refreshes the rebooking follow-ups' copy of the patient's sessions (see PatientRecord). */
  private addSessionCopies(
    add: (kind: ActionKind, action: TransactItem) => void,
    patient: PatientRecord,
    alreadyWritten: FollowUp[],
  ) {
    const written = new Set(alreadyWritten.map((f) => `${f.bookingId}/${f.step}`));
    for (const ref of patient.rebookFollowUps ?? []) {
      if (written.has(`${ref.bookingId}/${ref.step}`)) continue;
      add("follow-up", {
        Update: {
          TableName: this.tableName,
          Key: keys.followUp(patient.locationId, ref.bookingId, ref.step),
          UpdateExpression: "SET patientSessions = :sessions",
          ConditionExpression: "attribute_exists(PK)",
          ExpressionAttributeValues: { ":sessions": patient.sessions },
        },
      });
    }
  }

  async writePatient(change: PatientWrite): Promise<void> {
    const { patient } = change;
    const actions: TransactItem[] = [];
    const kinds: ActionKind[] = [];
    const add = (kind: ActionKind, action: TransactItem) => {
      kinds.push(kind);
      actions.push(action);
    };
    add("patient", this.patientPut(patient, change.expectedPatientVersion));
    this.addFollowUps(add, [], change.cancelledFollowUps);
    this.addSessionCopies(add, patient, change.cancelledFollowUps);
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: actions }));
    } catch (error) {
      throw translateCancellation(error, kinds);
    }
  }

  async suppress(email: string, reason: string, at: Date): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.suppression(
            createHash("sha256").update(email.trim().toLowerCase()).digest("hex"),
          ),
          type: "suppression",
          reason,
          at: at.toISOString(),
        },
      }),
    );
  }

  private patientPut(patient: PatientRecord, expectedVersion: number | null): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.patient(patient.locationId, patient.id), type: "patient", ...patient },
        ...(expectedVersion === null
          ? { ConditionExpression: "attribute_not_exists(PK)" }
          : {
              ConditionExpression: "version = :v",
              ExpressionAttributeValues: { ":v": expectedVersion },
            }),
      },
    };
  }

  private async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey }));
      items.push(...((out.Items ?? []) as Item[]));
      ExclusiveStartKey = out.LastEvaluatedKey as Item | undefined;
    } while (ExclusiveStartKey);
    return items;
  }
}

const THROTTLING = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
]);

const busy = (cause: unknown) =>
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

/**
 * Turns a cancelled transaction into what it means for the caller: a taken slot
 * is final; a changed patient or booking, or a concurrent transaction on the
 * same items, means read again and decide again; an item throttled means busy.
 */
function translateCancellation(error: unknown, kinds: ActionKind[]): unknown {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return error;
  const reasons =
    (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  const failed = (kind: ActionKind, code: string) =>
    reasons.some((r, i) => kinds[i] === kind && r.Code === code);
  if (failed("lock", "ConditionalCheckFailed")) {
    return new DomainError("SLOT_TAKEN", "That time has just been booked. Please choose another.");
  }
  if (
    reasons.some((r) => r.Code === "ThrottlingError" || r.Code === "ProvisionedThroughputExceeded")
  ) {
    return busy(error);
  }
  if (failed("idempotency", "ConditionalCheckFailed")) return new IdempotencyRaceError();
  if (
    reasons.some((r) => r.Code === "ConditionalCheckFailed" || r.Code === "TransactionConflict")
  ) {
    return new StaleReadError("Booking or patient changed while writing", { cause: error });
  }
  return error;
}
