import type { BusyInterval } from "../../domain/availability";
import type { Booking } from "../../domain/booking";
import type { FollowUp } from "../../domain/follow-ups";
import type { AuditEntry, BookingReads, IdempotencyRecord, PatientRecord } from "../../ports";
import { queryAll, strip } from "./items";
import { keys } from "./keys";
import { DynamoTable } from "./table";
import { TABLE_KEYS } from "./table-definition";

const DAY_MS = 86_400_000;

/** Bookings, patients and the staff's lists: GetItem and Query, never Scan. */
export class DynamoBookingReads extends DynamoTable implements BookingReads {
  patient(locationId: string, patientId: string): Promise<PatientRecord | null> {
    return this.getItem<PatientRecord>(keys.patient(locationId, patientId));
  }

  booking(locationId: string, bookingId: string): Promise<Booking | null> {
    return this.getItem<Booking>(keys.booking(locationId, bookingId));
  }

  async busy(
    locationId: string,
    practitionerId: string,
    fromMs: number,
    toMs: number,
  ): Promise<BusyInterval[]> {
    const g1 = TABLE_KEYS.indexes.practitionerCalendar;
    // A session never spans a whole day, so one that overlaps `from` starts after from - 1 day.
    const items = await queryAll(this.doc, {
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
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: g2.name,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": g2.partitionKey },
      ExpressionAttributeValues: { ":pk": keys.daySchedule(locationId, date) },
    });
    return items.map((i) => strip<Booking>(i));
  }

  async audit(locationId: string, fromIso: string, toIso: string): Promise<AuditEntry[]> {
    const items = await queryAll(this.doc, {
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

  idempotency(locationId: string, key: string): Promise<IdempotencyRecord | null> {
    return this.getItem<IdempotencyRecord>(keys.idempotency(locationId, key));
  }

  async bookingWithFollowUps(
    locationId: string,
    bookingId: string,
  ): Promise<{ booking: Booking; followUps: FollowUp[] } | null> {
    const items = await queryAll(this.doc, {
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
}
