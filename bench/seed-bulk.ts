import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Booking, BookingStatus } from "../shared/domain/booking";
import { addDays, instantAt, localDateOf } from "../shared/domain/calendar";
import type { Catalog, Treatment } from "../shared/domain/catalog";
import { bookingItem, type Item, makeBooking, makePatient, patientItem } from "./items";

/** Bookings of the past: this many days back from now, at most. */
const HISTORY_DAYS = 8 * 365;
const SESSION_SPACING_DAYS = 35;
const BATCH = 25;

export interface BulkLoadResult {
  bookings: number;
  patients: number;
  items: number;
  batches: number;
  unprocessedRetries: number;
  writers: number;
  seconds: number;
  itemsPerSecond: number;
}

/** Where the next load continues, so two loads never reuse a patient. */
export interface BulkCursor {
  nextPatient: number;
}

function statusOf(p: number, k: number): BookingStatus {
  const r = (p * 31 + k * 17) % 20;
  return r === 0 ? "cancelled" : r === 1 ? "no-show" : "completed";
}

/**
 * The items of `count` past bookings: patients with 1 to 7 sessions each, 35 days
 * apart, spread over the clinic's practitioners, the hours of the day and the last
 * eight years; each booking item with its GSI1/GSI2 attributes, then its patient record.
 */
function* bulkItems(o: {
  catalog: Catalog;
  treatment: Treatment;
  now: Date;
  count: number;
  runTag: string;
  cursor: BulkCursor;
  stats: { bookings: number; patients: number };
}): Generator<Item> {
  const { catalog, treatment } = o;
  const tz = catalog.clinic.policy.timezone;
  const today = localDateOf(o.now, tz);
  const practitioners = catalog.practitioners.map((p) => p.id);
  while (o.stats.bookings < o.count) {
    const p = o.cursor.nextPatient++;
    const sessions = Math.min(1 + (p % 7), o.count - o.stats.bookings);
    const patient = {
      name: `Bulk Patient ${p}`,
      email: `bulk-${o.runTag}-${p}@bench.example`,
      phone: `+1 310 555 ${String(p % 10_000).padStart(4, "0")}`,
    };
    const lastSessionDaysBack = 1 + ((p * 7919) % (HISTORY_DAYS - sessions * SESSION_SPACING_DAYS));
    const bookings: Booking[] = [];
    for (let k = 0; k < sessions; k++) {
      const date = addDays(today, -(lastSessionDaysBack + k * SESSION_SPACING_DAYS));
      const slot = (p * 3 + k * 5) % 9; // 08:00, 09:15, … 18:00
      const minutes = 8 * 60 + slot * 75;
      const time = `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
      const start = instantAt(date, time, tz);
      const status = statusOf(p, k);
      const booking = makeBooking({
        catalog,
        treatment,
        practitionerId: practitioners[(p + k) % practitioners.length] as string,
        start,
        patient,
        status,
        createdAt: new Date(start.getTime() - 14 * 86_400_000),
      });
      bookings.push({
        ...booking,
        updatedAt: new Date(start.getTime() + 2 * 3_600_000).toISOString(),
        version: 2,
      });
    }
    for (const b of bookings) yield bookingItem(b);
    yield patientItem(makePatient(catalog, patient, bookings));
    o.stats.bookings += sessions;
    o.stats.patients++;
  }
}

/**
 * Loads `count` realistic past bookings (and their patients) straight into the
 * table with BatchWriteItem, `writers` batches in flight, re-sending
 * UnprocessedItems with exponential backoff.
 */
export async function bulkLoad(o: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  catalog: Catalog;
  treatment: Treatment;
  now: Date;
  count: number;
  runTag: string;
  cursor: BulkCursor;
  writers: number;
  log: (message: string) => void;
}): Promise<BulkLoadResult> {
  const started = performance.now();
  const stats = { bookings: 0, patients: 0 };
  const items = bulkItems({ ...o, stats });
  let itemCount = 0;
  let batches = 0;
  let unprocessedRetries = 0;
  let nextReport = 0.1;

  const nextBatch = (): Item[] => {
    const batch: Item[] = [];
    for (let r = items.next(); !r.done; r = items.next()) {
      batch.push(r.value);
      if (batch.length === BATCH) break;
    }
    return batch;
  };

  const writer = async () => {
    for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
      let pending = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 10) throw new Error("Bulk load: items stayed unprocessed after 10 retries");
        if (attempt > 0) {
          unprocessedRetries++;
          await new Promise((r) => setTimeout(r, Math.min(2_000, 25 * 2 ** attempt)));
        }
        const out = await o.doc.send(
          new BatchWriteCommand({ RequestItems: { [o.tableName]: pending } }),
        );
        pending = (out.UnprocessedItems?.[o.tableName] ?? []) as typeof pending;
      }
      itemCount += batch.length;
      batches++;
      if (stats.bookings / o.count >= nextReport) {
        const s = (performance.now() - started) / 1000;
        o.log(
          `  ${stats.bookings}/${o.count} bookings, ${itemCount} items, ${s.toFixed(0)} s (${(itemCount / s).toFixed(0)} items/s)`,
        );
        nextReport += 0.1;
      }
    }
  };

  await Promise.all(Array.from({ length: o.writers }, writer));
  const seconds = (performance.now() - started) / 1000;
  return {
    bookings: stats.bookings,
    patients: stats.patients,
    items: itemCount,
    batches,
    unprocessedRetries,
    writers: o.writers,
    seconds: Math.round(seconds * 10) / 10,
    itemsPerSecond: Math.round(itemCount / seconds),
  };
}
