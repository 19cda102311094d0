import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../shared/adapters/dynamodb/keys";
import { patientIdFor } from "../shared/services/bookings";
import { type BenchContext, newPatient } from "./context";
import { bookingItem, followUpItems, lockItem, makeBooking, makePatient } from "./items";

const RAW_PRACTITIONER = "raw-floor";
const MINUTE = 60_000;

export interface RawResult {
  ms: number;
  getMs: number;
  transactMs: number;
  items: number;
}

/**
 * The floor under one booking: the same DynamoDB calls the store makes, straight
 * from the document client — a strongly consistent GetItem of a (new) patient
 * record, then one TransactWriteItems with the booking Put (attribute_not_exists),
 * one Put per slot lock (attribute_not_exists) and the patient Put — on fresh keys.
 * `withFollowUps` adds the follow-up Puts the store now also writes with a booking.
 */
export async function rawBookingOnce(
  ctx: BenchContext,
  o: { tableName?: string; withFollowUps?: boolean } = {},
): Promise<RawResult> {
  const i = ctx.rawIndex++;
  const { catalog, raw } = ctx.target;
  const tableName = o.tableName ?? ctx.target.tableName;
  const loc = catalog.clinic.locationId;
  const patient = newPatient(ctx, "raw");
  const blockMinutes = ctx.treatment.durationMinutes + ctx.treatment.bufferMinutes;
  // A practitioner nobody books through the app, one session after another: fresh lock keys.
  const start = new Date(ctx.now.getTime() + 2 * 86_400_000 + i * blockMinutes * MINUTE);
  const booking = makeBooking({
    catalog,
    treatment: ctx.treatment,
    practitionerId: RAW_PRACTITIONER,
    start,
    patient,
    createdAt: ctx.now,
  });
  const record = makePatient(catalog, patient, [booking]);
  const TransactItems = [
    {
      Put: {
        TableName: tableName,
        Item: bookingItem(booking),
        ConditionExpression: "attribute_not_exists(PK)",
      },
    },
    ...booking.locks.map((instant) => ({
      Put: {
        TableName: tableName,
        Item: lockItem(booking, instant),
        ConditionExpression: "attribute_not_exists(PK)",
      },
    })),
    {
      Put: {
        TableName: tableName,
        Item: { ...keys.patient(loc, record.id), type: "patient", ...record },
        ConditionExpression: "attribute_not_exists(PK)",
      },
    },
    ...(o.withFollowUps ? followUpItems(booking, catalog, ctx.treatment, ctx.now) : []).map(
      (Item) => ({
        Put: { TableName: tableName, Item, ConditionExpression: "attribute_not_exists(PK)" },
      }),
    ),
  ];

  const t0 = performance.now();
  const got = await raw.doc.send(
    new GetCommand({
      TableName: tableName,
      Key: keys.patient(loc, patientIdFor(loc, patient.email)),
      ConsistentRead: true,
    }),
  );
  const t1 = performance.now();
  if (got.Item) throw new Error("Raw floor: the fresh patient already exists");
  await raw.doc.send(new TransactWriteCommand({ TransactItems }));
  const t2 = performance.now();
  if (tableName === ctx.target.tableName) ctx.bookingsInTable++;
  return { ms: t2 - t0, getMs: t1 - t0, transactMs: t2 - t1, items: TransactItems.length };
}
