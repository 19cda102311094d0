import { QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { Booking } from "../../domain/booking";
import type { FollowUp } from "../../domain/follow-ups";
import { holdsSlot } from "../../domain/lifecycle";
import type { DocSender } from "./errors";
import { keys } from "./keys";
import { TABLE_KEYS } from "./table-definition";

/** How items are shaped in the table: what the stores write, and read back. */

export type Item = Record<string, unknown>;

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

/** The stored item without its keys and bookkeeping attributes. */
export function strip<T>(item: Item): T {
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

/** Every page of a Query. */
export async function queryAll(doc: DocSender, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    items.push(...((out.Items ?? []) as Item[]));
    ExclusiveStartKey = out.LastEvaluatedKey as Item | undefined;
  } while (ExclusiveStartKey);
  return items;
}
