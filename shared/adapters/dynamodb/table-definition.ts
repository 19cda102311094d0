import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/**
 * The one table's shape, shared by the CDK stack, the local stack and the tests.
 *
 * Access patterns (every key starts with the location id):
 * - clinic catalog (clinic, treatments, practitioners, closures): Query PK=LOC#loc
 * - booking by id: GetItem PK=LOC#loc#BOOKING#id
 * - patient spacing record: GetItem PK=LOC#loc#PATIENT#patientId
 * - slot lock: PK=LOC#loc#LOCK#practitioner#instant (written in transactions only)
 * - practitioner's blocking bookings in a range (availability): GSI1 PK=LOC#loc#PRAC#id, SK=start
 * - the day's schedule: GSI2 PK=LOC#loc#DAY#date, SK=start
 * - a booking's follow-ups: PK=LOC#loc#BOOKING#id, SK=FOLLOWUP#step (read with the booking in one Query)
 * - follow-ups due by an instant (local runner, repair): GSI3 PK=LOC#loc#DUE, SK=dueAt (only while scheduled)
 * - aftercare plan versions: PK=LOC#loc#PLAN, SK=V#0000000001 (latest = last)
 * - audit log by time: PK=LOC#loc#AUDIT, SK=at
 * - idempotency record: PK=LOC#loc#IDEM#key (expires through TTL)
 */
export const TABLE_KEYS = {
  partitionKey: "PK",
  sortKey: "SK",
  ttlAttribute: "expiresAt",
  indexes: {
    practitionerCalendar: { name: "GSI1", partitionKey: "GSI1PK", sortKey: "GSI1SK" },
    daySchedule: { name: "GSI2", partitionKey: "GSI2PK", sortKey: "GSI2SK" },
    dueFollowUps: { name: "GSI3", partitionKey: "GSI3PK", sortKey: "GSI3SK" },
  },
} as const;

/** Attributes the practitioner-calendar index carries: all availability needs. */
export const PRACTITIONER_CALENDAR_ATTRIBUTES = ["start", "blockedUntil", "practitionerId"];

export function createTableInput(tableName: string): CreateTableCommandInput {
  const { practitionerCalendar: g1, daySchedule: g2, dueFollowUps: g3 } = TABLE_KEYS.indexes;
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: "PK", AttributeType: "S" },
      { AttributeName: "SK", AttributeType: "S" },
      { AttributeName: g1.partitionKey, AttributeType: "S" },
      { AttributeName: g1.sortKey, AttributeType: "S" },
      { AttributeName: g2.partitionKey, AttributeType: "S" },
      { AttributeName: g2.sortKey, AttributeType: "S" },
      { AttributeName: g3.partitionKey, AttributeType: "S" },
      { AttributeName: g3.sortKey, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: "PK", KeyType: "HASH" },
      { AttributeName: "SK", KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: g1.name,
        KeySchema: [
          { AttributeName: g1.partitionKey, KeyType: "HASH" },
          { AttributeName: g1.sortKey, KeyType: "RANGE" },
        ],
        Projection: {
          ProjectionType: "INCLUDE",
          NonKeyAttributes: PRACTITIONER_CALENDAR_ATTRIBUTES,
        },
      },
      {
        IndexName: g2.name,
        KeySchema: [
          { AttributeName: g2.partitionKey, KeyType: "HASH" },
          { AttributeName: g2.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
      {
        IndexName: g3.name,
        KeySchema: [
          { AttributeName: g3.partitionKey, KeyType: "HASH" },
          { AttributeName: g3.sortKey, KeyType: "RANGE" },
        ],
        Projection: {
          ProjectionType: "INCLUDE",
          NonKeyAttributes: ["bookingId", "step", "dueAt", "locationId"],
        },
      },
    ],
  };
}
