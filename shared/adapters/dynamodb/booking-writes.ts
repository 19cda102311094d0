import { TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { DomainError } from "../../domain/errors";
import type { FollowUp } from "../../domain/follow-ups";
import {
  type BookingWrite,
  type BookingWrites,
  IdempotencyRaceError,
  type PatientRecord,
  type PatientWrite,
  StaleReadError,
} from "../../ports";
import { busy } from "./errors";
import { bookingItem, followUpItem } from "./items";
import { keys } from "./keys";
import { DynamoTable } from "./table";

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]
>[number];
type ActionKind = "booking" | "lock" | "unlock" | "patient" | "audit" | "idempotency" | "follow-up";

const IDEMPOTENCY_TTL_S = 24 * 3600;

/**
 * Every change to a booking or a patient is one TransactWriteItems: the rows it
 * writes, each with the condition that keeps the invariants (a free slot, the
 * versions read), or none of them.
 */
export class DynamoBookingWrites extends DynamoTable implements BookingWrites {
  async write(change: BookingWrite): Promise<void> {
    const { booking, previous, patient } = change;
    const loc = booking.locationId;
    const { add, commit } = this.transaction();

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

    await commit();
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
    const { add, commit } = this.transaction();
    add("patient", this.patientPut(patient, change.expectedPatientVersion));
    this.addFollowUps(add, [], change.cancelledFollowUps);
    this.addSessionCopies(add, patient, change.cancelledFollowUps);
    await commit();
  }

  /** Actions named by kind, so a cancellation reason can be traced to its item. */
  private transaction() {
    const actions: TransactItem[] = [];
    const kinds: ActionKind[] = [];
    return {
      add: (kind: ActionKind, action: TransactItem) => {
        kinds.push(kind);
        actions.push(action);
      },
      commit: async () => {
        try {
          await this.doc.send(new TransactWriteCommand({ TransactItems: actions }));
        } catch (error) {
          throw translateCancellation(error, kinds);
        }
      },
    };
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
