import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { STAFF_COOKIE } from "../../functions/api/context";
import { bookingBody, emailsTo, startTestApp, type TestApp } from "../support/test-app";

/**
 * One aftercare timeline at a time: a newer completed session of the family
 * supersedes what is left of the earlier one's, in the completion's transaction, and
 * the rebooking emails go only for the latest session, never once a later one is
 * booked. Played end to end on the local stack, each scenario on its own table.
 */

const opened: TestApp[] = [];
afterAll(async () => {
  await Promise.all(opened.map((a) => a.close()));
});

const REBOOK = "When you can book your next session";
const LAST_REMINDER = "A reminder to book your next session";
const WEEKS_3_4 = "Weeks 3 to 4: exfoliants and retinoids, slowly";
const OVERRIDE = { override: { reason: "Patient travels abroad in January" } };

type View = {
  step: string;
  status: string;
  sentAt?: string;
  error?: string;
  supersededBy?: { bookingId: string; date: string; href: string };
};

async function scenario(tag: string) {
  const app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
  opened.push(app);
  const token = await app.staffToken("receptionist");
  const email = `one-${tag}-${randomBytes(4).toString("hex")}@example.com`;
  const call = async (path: string, init: { method?: string; json?: unknown } = {}) => {
    const res = await app.request(path, { ...init, headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as any };
  };
  const book = async (start: string, extra: Record<string, unknown> = {}) => {
    const r = await call("/api/staff/bookings", {
      method: "POST",
      json: bookingBody({ start, patient: { name: "Lee Ortiz", email }, ...extra }),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.booking.id as string;
  };
  const complete = async (id: string, at: string) => {
    app.clock.set(at);
    expect((await call(`/api/staff/bookings/${id}/complete`, { method: "POST" })).status).toBe(200);
  };
  const steps = async (id: string): Promise<Record<string, View>> => {
    const r = await call(`/api/staff/bookings/${id}/follow-ups`);
    expect(r.status).toBe(200);
    return Object.fromEntries((r.body.followUps as View[]).map((f) => [f.step, f]));
  };
  const subjects = async () => (await emailsTo(email)).map((m) => m.subject);
  const count = (list: string[], s: string) => list.filter((x) => x === s).length;
  return { app, token, email, call, book, complete, steps, subjects, count };
}

/** Session A on 2 Dec, completed, its first week played; B booked on 5 Dec for `bStart`. */
async function aThenB(s: Awaited<ReturnType<typeof scenario>>, bStart: string) {
  const a = await s.book("2026-12-02T10:00:00-08:00");
  await s.complete(a, "2026-12-02T18:30:00Z");
  await s.app.runFollowUps("2026-12-05T00:00:00Z");
  s.app.clock.set("2026-12-05T18:00:00Z");
  const b = await s.book(bStart, OVERRIDE);
  return { a, b };
}

/** A's steps from `after` on are superseded by B, and none of A's went out after `cutoff`. */
async function expectSuperseded(
  s: Awaited<ReturnType<typeof scenario>>,
  a: string,
  b: { id: string; date: string },
  cutoff: string,
) {
  const f = await s.steps(a);
  for (const step of ["weeks-3-4", "day-28", "day-42"]) {
    expect(f[step], step).toMatchObject({
      status: "superseded",
      supersededBy: { bookingId: b.id, date: b.date },
    });
  }
  for (const step of ["plan", "day-2", "day-3", "week-1", "week-2"]) {
    expect(f[step]?.status, step).toBe("sent");
  }
  const late = Object.values(f).filter(
    (x) => x.sentAt && Date.parse(x.sentAt) > Date.parse(cutoff),
  );
  expect(late).toEqual([]);
}

describe("a newer completed session supersedes the rest of the earlier timeline", () => {
  it("the override case: A on 2 Dec, B overridden in for 18 Dec and completed by staff", async () => {
    const s = await scenario("override");
    const { a, b } = await aThenB(s, "2026-12-18T10:00:00-08:00");
    await s.app.runFollowUps("2026-12-18T18:00:00Z");
    expect((await s.steps(a))["weeks-3-4"]?.status).toBe("scheduled");
    s.app.roundTrips.reset();
    await s.complete(b, "2026-12-18T18:45:00Z");
    // The booking with its follow-ups, the patient, the plan, A's partition; one transaction.
    expect(s.app.roundTrips.snapshot()).toMatchObject({
      Query: 3,
      GetItem: 1,
      TransactWriteItems: 1,
    });
    await expectSuperseded(s, a, { id: b, date: "2026-12-18" }, "2026-12-18T18:45:00Z");

    const counts = await s.app.runFollowUps("2027-02-15T00:00:00Z");
    expect(counts).toMatchObject({ failed: 0 });
    await expectSuperseded(s, a, { id: b, date: "2026-12-18" }, "2026-12-18T18:45:00Z");
    const sent = await s.subjects();
    expect(s.count(sent, REBOOK)).toBe(1);
    expect(s.count(sent, LAST_REMINDER)).toBe(1);
    expect(s.count(sent, WEEKS_3_4)).toBe(1);
    const fb = await s.steps(b);
    expect(fb["day-28"]?.status).toBe("sent");
    expect(fb["day-42"]?.status).toBe("sent");
    // B's weeks 3 to 4 is 21 days after B, never 5 days after it.
    expect(Date.parse(fb["weeks-3-4"]?.sentAt ?? "")).toBeGreaterThan(
      Date.parse("2027-01-08T00:00:00Z"),
    );

    // Staff see it on the booking page, with a link to the newer session.
    const page = await s.app.request(`/staff/bookings/${a}`, {
      headers: { cookie: `${STAFF_COOKIE}=${s.token}` },
    });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("s-superseded");
    expect(html).toContain(`href="/staff/bookings/${b}"`);
    expect(html).toContain("Friday 18 December 2026");
  });

  it("the same with B moved to 22 Dec before it is completed automatically", async () => {
    const s = await scenario("moved");
    const { a, b } = await aThenB(s, "2026-12-18T10:00:00-08:00");
    s.app.clock.set("2026-12-10T18:00:00Z");
    const moved = await s.call(`/api/staff/bookings/${b}/reschedule`, {
      method: "POST",
      json: { start: "2026-12-22T10:00:00-08:00", ...OVERRIDE },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    // Until B's end plus the grace period, A's timeline runs (its 16 Dec step included).
    await s.app.runFollowUps("2026-12-22T19:30:00Z");
    expect((await s.call(`/api/staff/bookings/${b}`)).body.booking.status).toBe("confirmed");
    // The automatic completion (11:00 + 2 h) supersedes A's rest.
    await s.app.runFollowUps("2026-12-22T21:05:00Z");
    expect((await s.call(`/api/staff/bookings/${b}`)).body.booking.status).toBe("completed");
    await expectSuperseded(s, a, { id: b, date: "2026-12-22" }, "2026-12-22T21:05:00Z");

    await s.app.runFollowUps("2027-02-15T00:00:00Z");
    await expectSuperseded(s, a, { id: b, date: "2026-12-22" }, "2026-12-22T21:05:00Z");
    const sent = await s.subjects();
    expect(s.count(sent, REBOOK)).toBe(1);
    expect(s.count(sent, LAST_REMINDER)).toBe(1);
    expect(s.count(sent, WEEKS_3_4)).toBe(1);
  });
});

describe("rebooking emails go only for the latest session", () => {
  it("a later session already booked: A's day-28 is skipped; its completion supersedes A's day-42", async () => {
    const s = await scenario("booked");
    const a = await s.book("2026-12-02T10:00:00-08:00");
    await s.complete(a, "2026-12-02T18:30:00Z");
    await s.app.runFollowUps("2026-12-20T00:00:00Z");
    s.app.clock.set("2026-12-20T18:00:00Z");
    const b = await s.book("2027-01-12T10:00:00-08:00");
    await s.app.runFollowUps("2027-01-05T00:00:00Z");
    expect((await s.steps(a))["day-28"]).toMatchObject({
      status: "skipped",
      error: "Already rebooked.",
    });
    expect(await s.subjects()).not.toContain(REBOOK);
    // B is completed automatically on 12 Jan, before A's day 42 (13 Jan).
    await s.app.runFollowUps("2027-03-01T00:00:00Z");
    expect((await s.steps(a))["day-42"]).toMatchObject({
      status: "superseded",
      supersededBy: { bookingId: b, date: "2027-01-12" },
    });
    const sent = await s.subjects();
    expect(s.count(sent, REBOOK)).toBe(1);
    expect(s.count(sent, LAST_REMINDER)).toBe(1);
    const fb = await s.steps(b);
    expect(fb["day-28"]?.status).toBe("sent");
    expect(fb["day-42"]?.status).toBe("sent");
  });
});
