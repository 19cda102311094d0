import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bookingBody, startTestApp, type TestApp } from "../support/test-app";

/**
 * The patient's manage link: its token reads, moves and cancels that one booking
 * until the change cut-off (24 h before the start) and expires 30 days after the
 * start. Any missing, wrong, tampered, expired or other-booking token is a 404
 * that looks exactly like a booking that does not exist.
 */

let app: TestApp;
let receptionist: string;

const NOW = "2026-11-30T18:00:00Z"; // Monday 10:00 in Los Angeles
const DAY_MS = 86_400_000;

beforeAll(async () => {
  app = await startTestApp({ now: NOW });
  receptionist = await app.staffToken("receptionist");
});

afterEach(() => {
  app.clock.set(NOW);
});

afterAll(async () => {
  await app?.close();
});

type PublicBooking = {
  id: string;
  status: string;
  start: string;
  end: string;
  treatmentId: string;
  practitionerId: string;
};
type ErrorBody = { error: { code: string; message: string } };
type Held = { id: string; token: string; start: string; name: string; email: string };

const PATIENTS: { name: string; email: string; phone: string }[] = [];

async function book(start: string, who: string, extra: Record<string, unknown> = {}) {
  const patient = {
    name: `${who} Manage`,
    email: `${who.toLowerCase()}.manage@example.com`,
    phone: "+1 310 555 0199",
  };
  PATIENTS.push(patient);
  const res = await app.request("/api/bookings", {
    method: "POST",
    json: bookingBody({ start, patient, ...extra }),
  });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  const body = JSON.parse(text) as { booking: PublicBooking; manageUrl: string };
  const url = new URL(body.manageUrl);
  expect(url.pathname).toBe(`/manage/${body.booking.id}`);
  const token = url.searchParams.get("token") ?? "";
  expect(token).not.toBe("");
  return { id: body.booking.id, token, start, name: patient.name, email: patient.email };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const read = (id: string, headers: Record<string, string> = {}, query = "") =>
  app.request(`/api/bookings/${id}${query}`, { headers });

const reschedule = (
  id: string,
  token: string | undefined,
  start: string,
  practitionerId?: string,
) =>
  app.request(`/api/bookings/${id}/reschedule`, {
    method: "POST",
    json: { start, ...(practitionerId ? { practitionerId } : {}) },
    headers: token === undefined ? {} : bearer(token),
  });

const cancel = (id: string, token: string | undefined) =>
  app.request(`/api/bookings/${id}/cancel`, {
    method: "POST",
    headers: token === undefined ? {} : bearer(token),
  });

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  expect(res.headers.get("x-request-id")).toBeTruthy();
  expect(text).not.toMatch(/node_modules|exception|dynamodb|\n\s*at\s/i);
  expect((JSON.parse(text) as ErrorBody).error.code).toBe(code);
  return text;
}

/** The body a caller gets for a booking id that does not exist at all. */
let notFoundBody: string;

async function expectNotFoundLikeMissing(res: Response) {
  const text = await expectError(res, 404, "NOT_FOUND");
  expect(text).toBe(notFoundBody);
}

async function bookingOf(b: Held): Promise<PublicBooking> {
  const res = await read(b.id, bearer(b.token));
  expect(res.status).toBe(200);
  return ((await res.json()) as { booking: PublicBooking }).booking;
}

async function freeStarts(date: string, practitionerId = "jules"): Promise<string[]> {
  const res = await app.request(
    `/api/availability?treatmentId=microneedling-face&from=${date}&to=${date}&practitionerId=${practitionerId}`,
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { slots: { start: string }[] }).slots.map((s) => s.start);
}

/** Flips one character in the middle of the token's mac. */
function tamperMac(token: string): string {
  const parts = token.split(".");
  const mac = parts[4] ?? "";
  const i = Math.floor(mac.length / 2);
  parts[4] = `${mac.slice(0, i)}${mac[i] === "A" ? "B" : "A"}${mac.slice(i + 1)}`;
  return parts.join(".");
}

function withPart(token: string, index: number, value: string): string {
  const parts = token.split(".");
  parts[index] = value;
  return parts.join(".");
}

beforeAll(async () => {
  const res = await read("no-such-booking-anywhere");
  notFoundBody = await expectError(res, 404, "NOT_FOUND");
});

describe("reading a booking with its manage token", () => {
  let a: Held;
  let b: Held;
  beforeAll(async () => {
    a = await book("2026-12-07T09:00:00-08:00", "Alma");
    b = await book("2026-12-07T10:30:00-08:00", "Boris");
  });

  it("the token reads its booking, as ?token= and as Authorization: Bearer", async () => {
    for (const res of [
      await read(a.id, {}, `?token=${encodeURIComponent(a.token)}`),
      await read(a.id, bearer(a.token)),
      await read(a.id, { authorization: `bearer   ${a.token}` }),
    ]) {
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(res.headers.get("x-request-id")).toBeTruthy();
      const { booking } = JSON.parse(text) as { booking: PublicBooking };
      expect(booking).toMatchObject({
        id: a.id,
        status: "confirmed",
        start: "2026-12-07T09:00:00-08:00",
        end: "2026-12-07T10:00:00-08:00",
        treatmentId: "microneedling-face",
        practitionerId: "jules",
      });
      // The public view carries no contact details.
      expect(text).not.toContain(a.email);
      expect(text).not.toContain(a.name);
      // The whole number, not "555" alone: random ids and tokens contain that often.
      expect(text).not.toContain("555 0199");
      expect(text.replace(/\D/g, "")).not.toContain("3105550199");
    }
  });

  it("another booking's valid token → 404, like a missing booking", async () => {
    await expectNotFoundLikeMissing(await read(a.id, bearer(b.token)));
    await expectNotFoundLikeMissing(await read(a.id, {}, `?token=${b.token}`));
    await expectNotFoundLikeMissing(await reschedule(a.id, b.token, "2026-12-08T09:00:00-08:00"));
    await expectNotFoundLikeMissing(await cancel(a.id, b.token));
    expect((await bookingOf(a)).status).toBe("confirmed");
  });

  it("missing, empty, tampered or wrong-purpose tokens → 404, like a missing booking", async () => {
    const future = new Date(Date.parse(NOW) + 60 * DAY_MS);
    const expiry = String(Math.floor(future.getTime() / 1000));
    const bad: [string, Record<string, string>, string][] = [
      ["no token", {}, ""],
      ["an empty query token", {}, "?token="],
      ["an empty Bearer", { authorization: "Bearer " }, ""],
      ["garbage", bearer("garbage"), ""],
      ["a flipped mac character", bearer(tamperMac(a.token)), ""],
      ["the mac cut short", bearer(a.token.slice(0, -1)), ""],
      ["the mac of another booking", bearer(withPart(a.token, 4, b.token.split(".")[4] ?? "")), ""],
      ["the subject swapped to this booking", bearer(withPart(b.token, 2, a.id)), ""],
      ["the expiry pushed out, same mac", bearer(withPart(a.token, 3, "9999999999")), ""],
      ["the purpose changed, same mac", bearer(withPart(a.token, 1, "rebook")), ""],
      ["the version changed, same mac", bearer(withPart(a.token, 0, "v2")), ""],
      ["a genuine rebook token", bearer(app.deps.tokens.sign("rebook", a.id, future)), ""],
      [
        "a genuine unsubscribe token",
        bearer(app.deps.tokens.sign("unsubscribe", a.id, future)),
        "",
      ],
      [
        "a forged token with a made-up mac",
        bearer(`v1.manage.${a.id}.${expiry}.${"A".repeat(43)}`),
        "",
      ],
      ["the token in lower case", bearer(a.token.toLowerCase()), ""],
      ["a staff JWT", bearer(receptionist), ""],
    ];
    for (const [label, headers, query] of bad) {
      const res = await read(a.id, headers, query);
      const text = await res.text();
      expect(res.status, label).toBe(404);
      expect(text, label).toBe(notFoundBody);
    }
    for (const [, headers] of bad.slice(3)) {
      const token = headers.authorization?.replace(/^Bearer /, "");
      await expectNotFoundLikeMissing(await cancel(a.id, token));
      await expectNotFoundLikeMissing(await reschedule(a.id, token, "2026-12-08T09:00:00-08:00"));
    }
    expect(await bookingOf(a)).toMatchObject({
      status: "confirmed",
      start: "2026-12-07T09:00:00-08:00",
    });
  });

  it("a genuine token for a booking that does not exist → the same 404", async () => {
    const ghost = "ghost0000000000000000000000000000";
    const token = app.deps.tokens.sign("manage", ghost, new Date(Date.parse(NOW) + 60 * DAY_MS));
    await expectNotFoundLikeMissing(await read(ghost, bearer(token)));
    await expectNotFoundLikeMissing(await cancel(ghost, token));
    await expectNotFoundLikeMissing(await reschedule(ghost, token, "2026-12-08T09:00:00-08:00"));
  });

  it("the token expires 30 days after the start: then 404, like a missing booking", async () => {
    const start = Date.parse(a.start);
    app.clock.set(new Date(start + 30 * DAY_MS - 60_000));
    expect((await read(a.id, bearer(a.token))).status).toBe(200);
    app.clock.set(new Date(start + 30 * DAY_MS));
    await expectNotFoundLikeMissing(await read(a.id, bearer(a.token)));
    app.clock.set(new Date(start + 30 * DAY_MS + 60_000));
    await expectNotFoundLikeMissing(await read(a.id, bearer(a.token)));
    await expectNotFoundLikeMissing(await read(a.id, {}, `?token=${a.token}`));
    await expectNotFoundLikeMissing(await cancel(a.id, a.token));
    app.clock.set(new Date(start + 400 * DAY_MS));
    await expectNotFoundLikeMissing(await read(a.id, bearer(a.token)));
  });
});

describe("rescheduling with the manage token", () => {
  it("moves the booking to a free slot: the old slot frees up, the new one is taken", async () => {
    const c = await book("2026-12-08T09:00:00-08:00", "Cleo");
    expect(await freeStarts("2026-12-08")).not.toContain("2026-12-08T09:00:00-08:00");
    expect(await freeStarts("2026-12-09")).toContain("2026-12-09T10:30:00-08:00");

    const res = await reschedule(c.id, c.token, "2026-12-09T10:30:00-08:00");
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const { booking } = JSON.parse(text) as { booking: PublicBooking };
    expect(booking).toMatchObject({
      id: c.id,
      status: "confirmed",
      start: "2026-12-09T10:30:00-08:00",
      end: "2026-12-09T11:30:00-08:00",
    });
    expect(text).not.toContain(c.email);

    expect(await freeStarts("2026-12-08")).toContain("2026-12-08T09:00:00-08:00");
    expect(await freeStarts("2026-12-09")).not.toContain("2026-12-09T10:30:00-08:00");
    // The same link keeps working for the moved booking.
    expect((await bookingOf(c)).start).toBe("2026-12-09T10:30:00-08:00");
  });

  it("refuses a taken slot (409 SLOT_TAKEN) and a closed time (409 SLOT_UNAVAILABLE), changing nothing", async () => {
    const holder = await book("2026-12-10T12:00:00-08:00", "Hugo");
    const d = await book("2026-12-10T15:00:00-08:00", "Dina");
    // Jules is taken then (Maya would be free: naming Jules keeps the test about the lock).
    await expectError(
      await reschedule(d.id, d.token, "2026-12-10T12:00:00-08:00", "jules"),
      409,
      "SLOT_TAKEN",
    );
    await expectError(
      await reschedule(d.id, d.token, "2026-12-10T12:30:00-08:00", "jules"),
      409,
      "SLOT_TAKEN",
    );
    await expectError(
      await reschedule(d.id, d.token, "2026-12-25T10:00:00-08:00"),
      409,
      "SLOT_UNAVAILABLE",
    );
    expect((await bookingOf(d)).start).toBe("2026-12-10T15:00:00-08:00");
    expect((await bookingOf(holder)).start).toBe("2026-12-10T12:00:00-08:00");
  });

  it("enforces 28 days between sessions, both ways, and the 409 reveals no dates", async () => {
    // One patient, two sessions exactly 28 days apart.
    const first = await book("2026-12-07T12:00:00-08:00", "Esme");
    const second = await book("2027-01-04T12:00:00-08:00", "Esme");

    // Moving the second to 21 days after the first.
    const tooSoon = await expectError(
      await reschedule(second.id, second.token, "2026-12-28T12:00:00-08:00"),
      409,
      "SPACING_TOO_SOON",
    );
    expect(tooSoon).not.toMatch(/\d{4}-\d{2}-\d{2}|earliest|previous|latest|2026|2027/i);
    // Moving the first to 27 days before the second.
    const tooClose = await expectError(
      await reschedule(first.id, first.token, "2026-12-08T12:00:00-08:00"),
      409,
      "SPACING_TOO_SOON",
    );
    expect(tooClose).not.toMatch(/\d{4}-\d{2}-\d{2}|earliest|previous|latest|2026|2027/i);
    expect((await bookingOf(first)).start).toBe("2026-12-07T12:00:00-08:00");
    expect((await bookingOf(second)).start).toBe("2027-01-04T12:00:00-08:00");

    // 29 days after the first is fine.
    const ok = await reschedule(second.id, second.token, "2027-01-05T12:00:00-08:00");
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect((await bookingOf(second)).start).toBe("2027-01-05T12:00:00-08:00");
  });
});

describe("cancelling with the manage token", () => {
  it("cancels, frees the slot, and a second cancel is 409 INVALID_STATE", async () => {
    const e = await book("2026-12-14T09:00:00-08:00", "Faye");
    expect(await freeStarts("2026-12-14")).not.toContain("2026-12-14T09:00:00-08:00");

    const res = await cancel(e.id, e.token);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect((JSON.parse(text) as { booking: PublicBooking }).booking).toMatchObject({
      id: e.id,
      status: "cancelled",
    });
    expect(await freeStarts("2026-12-14")).toContain("2026-12-14T09:00:00-08:00");
    expect((await bookingOf(e)).status).toBe("cancelled");

    await expectError(await cancel(e.id, e.token), 409, "INVALID_STATE");
    await expectError(
      await reschedule(e.id, e.token, "2026-12-15T09:00:00-08:00"),
      409,
      "INVALID_STATE",
    );

    // Someone else can now book the freed time.
    await book("2026-12-14T09:00:00-08:00", "Gus");
  });

  it("inside 24 h of the start → 409 TOO_LATE_TO_CHANGE for cancel and reschedule", async () => {
    const f = await book("2026-12-11T09:00:00-08:00", "Ivo");
    const start = Date.parse(f.start);

    app.clock.set(new Date(start - 24 * 3_600_000 + 60_000)); // 23 h 59 min before
    const late = await expectError(await cancel(f.id, f.token), 409, "TOO_LATE_TO_CHANGE");
    expect(late).not.toContain(f.email);
    await expectError(
      await reschedule(f.id, f.token, "2026-12-18T09:00:00-08:00"),
      409,
      "TOO_LATE_TO_CHANGE",
    );
    // Reading still works, and the booking is untouched.
    expect(await bookingOf(f)).toMatchObject({ status: "confirmed", start: f.start });

    app.clock.set(new Date(start - 2 * 3_600_000)); // 2 h before
    await expectError(await cancel(f.id, f.token), 409, "TOO_LATE_TO_CHANGE");
    app.clock.set(new Date(start + 3_600_000)); // after it started
    await expectError(await cancel(f.id, f.token), 409, "TOO_LATE_TO_CHANGE");

    app.clock.set(new Date(start - 24 * 3_600_000 - 60_000)); // 24 h 1 min before
    const inTime = await cancel(f.id, f.token);
    expect(inTime.status, await inTime.clone().text()).toBe(200);
  });

  it("the manage page and the use case agree at the exact cut-off instant, and 1 ms after it", async () => {
    const page = (b: Held, path = "") =>
      app.request(`/manage/${b.id}${path}?token=${encodeURIComponent(b.token)}`);
    const offers = async (b: Held) => {
      const html = await (await page(b)).text();
      return {
        reschedule: html.includes(`/manage/${b.id}/reschedule?`),
        cancel: html.includes(`/manage/${b.id}/cancel?`),
        tooLate: html.includes("can no longer be changed online"),
      };
    };

    const k = await book("2026-12-21T09:00:00-08:00", "Kit");
    app.clock.set(new Date(Date.parse(k.start) - 24 * 3_600_000)); // exactly 24 h before
    expect(await offers(k)).toEqual({ reschedule: true, cancel: true, tooLate: false });
    expect((await page(k, "/reschedule")).status).toBe(200);
    expect((await page(k, "/cancel")).status).toBe(200);
    const moved = await reschedule(k.id, k.token, "2026-12-22T09:00:00-08:00");
    expect(moved.status, await moved.clone().text()).toBe(200);

    const l = await book("2026-12-23T09:00:00-08:00", "Lou");
    app.clock.set(new Date(Date.parse(l.start) - 24 * 3_600_000 + 1)); // 1 ms inside it
    expect(await offers(l)).toEqual({ reschedule: false, cancel: false, tooLate: true });
    expect((await page(l, "/reschedule")).status).toBe(409);
    expect((await page(l, "/cancel")).status).toBe(409);
    await expectError(
      await reschedule(l.id, l.token, "2026-12-24T09:00:00-08:00"),
      409,
      "TOO_LATE_TO_CHANGE",
    );
  });

  it("staff can still cancel inside the cut-off (the 24 h rule is for the online link)", async () => {
    const g = await book("2026-12-16T09:00:00-08:00", "Juno");
    app.clock.set(new Date(Date.parse(g.start) - 3_600_000));
    await expectError(await cancel(g.id, g.token), 409, "TOO_LATE_TO_CHANGE");
    const res = await app.request(`/api/staff/bookings/${g.id}/cancel`, {
      method: "POST",
      headers: bearer(receptionist),
    });
    expect(res.status).toBe(200);
  });
});

describe("logs", () => {
  it("never contain a patient's name, email or phone", () => {
    const logged = JSON.stringify(app.logger.lines);
    expect(PATIENTS.length).toBeGreaterThan(5);
    for (const p of PATIENTS) {
      expect(logged).not.toContain(p.name);
      expect(logged).not.toContain(p.email);
    }
    expect(logged).not.toContain("555 0199");
    expect(logged).not.toMatch(/manage@example\.com/);
  });
});
