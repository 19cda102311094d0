import { GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys } from "../../shared/adapters/dynamodb/keys";
import { DomainError } from "../../shared/domain/errors";
import {
  changeStatus,
  createBooking,
  type NewBooking,
  patientIdFor,
  rescheduleBooking,
} from "../../shared/services/bookings";
import { injectTransactionConflicts } from "../support/fault-injection";
import { startTestApp, type TestApp } from "../support/test-app";

/** The store and use cases against DynamoDB Local, below the HTTP layer. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
});
afterAll(() => app.close());

const staff = { kind: "staff" as const, id: "staff-1" };
const newBooking = (over: Partial<NewBooking> = {}): NewBooking => ({
  treatmentId: "microneedling-face",
  start: new Date("2026-12-10T09:00:00-08:00"),
  practitionerId: "jules",
  patient: { name: "Store Test", email: "store@example.com" },
  consent: { aftercareEmails: true },
  actor: { kind: "patient" },
  ...over,
});

async function lockItems(practitionerId: string, instants: string[]) {
  const loc = app.deps.bookings.locationId;
  return Promise.all(
    instants.map(async (i) => {
      const out = await app.dynamo.doc.send(
        new GetCommand({
          TableName: app.tableName,
          Key: keys.lock(loc, practitionerId, i),
          ConsistentRead: true,
        }),
      );
      return out.Item;
    }),
  );
}

async function expectCode(p: Promise<unknown>, code: string) {
  await expect(p).rejects.toSatisfy((e) => e instanceof DomainError && e.code === code);
}

describe("booking writes against DynamoDB Local", () => {
  it("a booking holds one lock per 15 minutes of session and buffer, and the patient record", async () => {
    const b = await createBooking(app.deps.bookings, newBooking());
    // 60 min + 15 min buffer = 5 steps.
    expect(b.locks).toEqual([
      "2026-12-10T17:00:00.000Z",
      "2026-12-10T17:15:00.000Z",
      "2026-12-10T17:30:00.000Z",
      "2026-12-10T17:45:00.000Z",
      "2026-12-10T18:00:00.000Z",
    ]);
    const locks = await lockItems("jules", b.locks);
    expect(locks.map((l) => l?.bookingId)).toEqual(Array(5).fill(b.id));
    const patient = await app.deps.bookings.reads.patient(
      app.deps.bookings.locationId,
      b.patientId,
    );
    expect(patient).toMatchObject({
      version: 1,
      sessions: [{ bookingId: b.id, date: "2026-12-10", status: "confirmed" }],
    });
    expect(JSON.stringify(patient)).not.toContain("Store Test@");
  });

  it("a booking starting in another's buffer is SLOT_TAKEN; right after the buffer is fine", async () => {
    await expectCode(
      createBooking(
        app.deps.bookings,
        newBooking({
          start: new Date("2026-12-10T10:00:00-08:00"),
          patient: { name: "B", email: "b@example.com" },
        }),
      ),
      "SLOT_TAKEN",
    );
    const next = await createBooking(
      app.deps.bookings,
      newBooking({
        start: new Date("2026-12-10T10:15:00-08:00"),
        patient: { name: "C", email: "c@example.com" },
      }),
    );
    expect(next.status).toBe("confirmed");
  });

  it("without a named practitioner, the next free one who works then is booked", async () => {
    // Thursday 2026-12-10 11:00: Jules (09–17) and Maya (11–19) both work; take Jules first.
    const first = await createBooking(
      app.deps.bookings,
      newBooking({
        start: new Date("2026-12-10T13:00:00-08:00"),
        practitionerId: "jules",
        patient: { name: "D", email: "d@example.com" },
      }),
    );
    const { practitionerId: _omit, ...rest } = newBooking({
      start: new Date("2026-12-10T13:00:00-08:00"),
      patient: { name: "E", email: "e@example.com" },
    });
    const second = await createBooking(app.deps.bookings, rest);
    expect(first.practitionerId).toBe("jules");
    expect(second.practitionerId).toBe("maya");
    const { practitionerId: _o2, ...third } = newBooking({
      start: new Date("2026-12-10T13:00:00-08:00"),
      patient: { name: "F", email: "f@example.com" },
    });
    await expectCode(createBooking(app.deps.bookings, third), "SLOT_TAKEN");
  });

  it("reschedule moves the locks in one transaction: the old time is free, overlapping steps are kept", async () => {
    const b = await createBooking(
      app.deps.bookings,
      newBooking({
        start: new Date("2026-12-11T09:00:00-08:00"),
        patient: { name: "G", email: "g@example.com" },
      }),
    );
    const moved = await rescheduleBooking(app.deps.bookings, {
      bookingId: b.id,
      start: new Date("2026-12-11T09:30:00-08:00"),
      actor: { kind: "patient" },
    });
    expect(moved.version).toBe(2);
    const released = await lockItems("jules", [
      "2026-12-11T17:00:00.000Z",
      "2026-12-11T17:15:00.000Z",
    ]);
    expect(released).toEqual([undefined, undefined]);
    const held = await lockItems("jules", moved.locks);
    expect(held.every((l) => l?.bookingId === b.id)).toBe(true);
    // The first free start after the moved session and its buffer (09:30 + 75 min) is 10:45.
    const after = await createBooking(
      app.deps.bookings,
      newBooking({
        start: new Date("2026-12-11T10:45:00-08:00"),
        patient: { name: "H", email: "h@example.com" },
      }),
    );
    expect(after.status).toBe("confirmed");
  });

  it("cancel releases every lock and the spacing slot of the patient", async () => {
    const email = "cancel.store@example.com";
    const b = await createBooking(
      app.deps.bookings,
      newBooking({ start: new Date("2026-12-14T09:00:00-08:00"), patient: { name: "I", email } }),
    );
    const cancelled = await changeStatus(app.deps.bookings, {
      bookingId: b.id,
      action: "cancel",
      actor: staff,
    });
    expect(cancelled.locks).toEqual([]);
    expect((await lockItems("jules", b.locks)).every((l) => l === undefined)).toBe(true);
    const patient = await app.deps.bookings.reads.patient(
      app.deps.bookings.locationId,
      patientIdFor(app.deps.bookings.locationId, email),
    );
    expect(patient?.sessions).toEqual([]);
    // A week later is now fine for the same patient.
    const again = await createBooking(
      app.deps.bookings,
      newBooking({ start: new Date("2026-12-21T09:00:00-08:00"), patient: { name: "I", email } }),
    );
    expect(again.status).toBe("confirmed");
  });

  it("a no-show stops counting for spacing; a completed session keeps counting", async () => {
    app.clock.set("2026-12-15T19:00:00Z");
    const email = "status.store@example.com";
    const b = await createBooking(
      app.deps.bookings,
      newBooking({
        start: new Date("2026-12-16T09:00:00-08:00"),
        patient: { name: "J", email },
        actor: staff,
      }),
    );
    await expectCode(
      changeStatus(app.deps.bookings, { bookingId: b.id, action: "complete", actor: staff }),
      "INVALID_STATE",
    );
    app.clock.set("2026-12-16T17:30:00Z");
    await changeStatus(app.deps.bookings, { bookingId: b.id, action: "no-show", actor: staff });
    const rebooked = await createBooking(
      app.deps.bookings,
      newBooking({
        start: new Date("2026-12-18T09:00:00-08:00"),
        patient: { name: "J", email },
        actor: staff,
      }),
    );
    app.clock.set("2026-12-18T17:30:00Z");
    await changeStatus(app.deps.bookings, {
      bookingId: rebooked.id,
      action: "complete",
      actor: staff,
    });
    await expectCode(
      createBooking(
        app.deps.bookings,
        newBooking({
          start: new Date("2027-01-05T09:00:00-08:00"),
          patient: { name: "J", email },
          actor: staff,
        }),
      ),
      "SPACING_TOO_SOON",
    );
    app.clock.set("2026-11-30T18:00:00Z");
  });

  it("a TransactionConflict from real DynamoDB is retried with fresh reads", async () => {
    const fault = injectTransactionConflicts(app.dynamo.client, 2);
    try {
      const b = await createBooking(
        app.deps.bookings,
        newBooking({
          start: new Date("2026-12-22T09:00:00-08:00"),
          patient: { name: "K", email: "k@example.com" },
        }),
      );
      expect(b.status).toBe("confirmed");
      expect(fault.count()).toBe(2);
    } finally {
      fault.remove();
    }
  });

  it("endless conflicts end in CONFLICT_RETRY (503) with nothing written", async () => {
    const fault = injectTransactionConflicts(app.dynamo.client, 100);
    const email = "conflict@example.com";
    try {
      await expectCode(
        createBooking(
          app.deps.bookings,
          newBooking({
            start: new Date("2026-12-22T11:00:00-08:00"),
            patient: { name: "L", email },
          }),
        ),
        "CONFLICT_RETRY",
      );
      expect(fault.count()).toBe(4);
    } finally {
      fault.remove();
    }
    const loc = app.deps.bookings.locationId;
    expect(await app.deps.bookings.reads.patient(loc, patientIdFor(loc, email))).toBeNull();
    const res = await app.request("/api/bookings", {
      method: "POST",
      json: {
        treatmentId: "microneedling-face",
        start: "2026-12-22T11:00:00-08:00",
        practitionerId: "jules",
        patient: { name: "L", email },
        consent: { aftercareEmails: false },
      },
    });
    expect(res.status).toBe(201);
  });

  it("reads serve named access patterns only: no Scan anywhere", async () => {
    app.roundTrips.reset();
    await app.request(
      "/api/availability?treatmentId=microneedling-face&from=2026-12-01&to=2026-12-31",
    );
    await createBooking(
      app.deps.bookings,
      newBooking({
        start: new Date("2026-12-23T09:00:00-08:00"),
        patient: { name: "M", email: "m@example.com" },
      }),
    );
    const counts = app.roundTrips.snapshot();
    expect(counts.Scan).toBeUndefined();
    const out = await app.dynamo.doc.send(
      new QueryCommand({
        TableName: app.tableName,
        IndexName: "GSI2",
        KeyConditionExpression: "GSI2PK = :pk",
        ExpressionAttributeValues: {
          ":pk": keys.daySchedule(app.deps.bookings.locationId, "2026-12-23"),
        },
      }),
    );
    expect(out.Items).toHaveLength(1);
  });
});
