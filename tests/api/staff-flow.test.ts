import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookingBody, startTestApp, type TestApp } from "../support/test-app";

/** The receptionist's day through the staff API, with real Cognito tokens. */
let app: TestApp;
let auth: { authorization: string };
beforeAll(async () => {
  app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
  auth = { authorization: `Bearer ${await app.staffToken("receptionist")}` };
});
afterAll(() => app.close());

const patient = {
  name: "Maria O'Neil-Søren",
  email: "maria@example.com",
  phone: "+1 (310) 555-0199",
};

async function staffPost(path: string, json?: unknown) {
  const res = await app.request(path, { method: "POST", headers: auth, ...(json ? { json } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe("receptionist", () => {
  let firstId = "";

  it("books for a patient", async () => {
    const r = await staffPost(
      "/api/staff/bookings",
      bookingBody({ patient, start: "2026-12-01T15:00:00-08:00" }),
    );
    expect(r.status).toBe(201);
    expect(r.body.booking).toMatchObject({
      status: "confirmed",
      source: "staff",
      patient: { name: patient.name },
    });
    expect(r.body.manageUrl).toMatch(/^https:\/\/clinic\.test\/manage\//);
    firstId = r.body.booking.id;
  });

  it("staff may book at short notice where the public may not", async () => {
    const start = "2026-11-30T15:00:00-08:00"; // 5 h after "now": inside the 12 h online notice.
    const pub = await app.request("/api/bookings", {
      method: "POST",
      json: bookingBody({ start, patient: { name: "Walk In", email: "walkin@example.com" } }),
    });
    expect(pub.status).toBe(409);
    expect(((await pub.json()) as any).error.code).toBe("SLOT_UNAVAILABLE");
    const desk = await staffPost(
      "/api/staff/bookings",
      bookingBody({ start, patient: { name: "Walk In", email: "walkin@example.com" } }),
    );
    expect(desk.status).toBe(201);
  });

  it("hits the spacing rule and sees the previous session and the earliest allowed date", async () => {
    const r = await staffPost(
      "/api/staff/bookings",
      bookingBody({ patient, start: "2026-12-22T09:00:00-08:00" }),
    );
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({
      code: "SPACING_TOO_SOON",
      earliestAllowedDate: "2026-12-29",
      previousSession: { id: firstId, date: "2026-12-01" },
    });
  });

  it("a too-short override reason is a 422 naming the field", async () => {
    const r = await staffPost(
      "/api/staff/bookings",
      bookingBody({ patient, start: "2026-12-22T09:00:00-08:00", override: { reason: "ok" } }),
    );
    expect(r.status).toBe(422);
    expect(r.body.error.issues[0].path).toBe("override.reason");
  });

  let overriddenId = "";
  it("overrides with a reason: the booking shows it, and the audit log has it", async () => {
    const reason = "Travelling abroad in January; approved by Jules";
    const r = await staffPost(
      "/api/staff/bookings",
      bookingBody({ patient, start: "2026-12-22T09:00:00-08:00", override: { reason } }),
    );
    expect(r.status).toBe(201);
    overriddenId = r.body.booking.id;
    expect(r.body.booking.override).toMatchObject({
      reason,
      previousSession: { id: firstId, date: "2026-12-01" },
      earliestAllowedDate: "2026-12-29",
    });
    const audit = await app.request("/api/staff/audit?from=2026-11-30&to=2026-11-30", {
      headers: auth,
    });
    const { entries } = (await audit.json()) as { entries: any[] };
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: "spacing-override",
      bookingId: overriddenId,
      reason,
    });
    expect(entries[0].actor).toMatch(/^[0-9a-f-]{36}$/);
    const none = await app.request("/api/staff/audit?from=2026-12-01&to=2026-12-31", {
      headers: auth,
    });
    expect(((await none.json()) as any).entries).toEqual([]);
  });

  it("an override that is not needed records nothing", async () => {
    const r = await staffPost(
      "/api/staff/bookings",
      bookingBody({
        patient: { name: "Other", email: "other@example.com" },
        start: "2026-12-23T09:00:00-08:00",
        override: { reason: "Just in case, not needed" },
      }),
    );
    expect(r.status).toBe(201);
    expect(r.body.booking.override).toBeUndefined();
  });

  it("the day's schedule lists bookings with patients, in start order", async () => {
    await staffPost(
      "/api/staff/bookings",
      bookingBody({
        patient: { name: "Early Bird", email: "early@example.com" },
        start: "2026-12-01T09:00:00-08:00",
      }),
    );
    const res = await app.request("/api/staff/schedule?date=2026-12-01", { headers: auth });
    const body = (await res.json()) as any;
    expect(body.timezone).toBe("America/Los_Angeles");
    expect(body.bookings.map((b: any) => b.start)).toEqual([
      "2026-12-01T09:00:00-08:00",
      "2026-12-01T15:00:00-08:00",
    ]);
    expect(body.bookings[1].patient).toMatchObject({ name: patient.name, email: patient.email });
  });

  it("completes only once the session has started; then it is final", async () => {
    expect((await staffPost(`/api/staff/bookings/${firstId}/complete`)).body.error.code).toBe(
      "INVALID_STATE",
    );
    app.clock.set("2026-12-01T23:05:00Z"); // 15:05 local
    const done = await staffPost(`/api/staff/bookings/${firstId}/complete`);
    expect(done.status).toBe(200);
    expect(done.body.booking.status).toBe("completed");
    const again = await staffPost(`/api/staff/bookings/${firstId}/no-show`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("INVALID_STATE");
  });

  it("reschedules with an override and cancels", async () => {
    const moved = await staffPost(`/api/staff/bookings/${overriddenId}/reschedule`, {
      start: "2026-12-21T09:00:00-08:00",
      override: { reason: "Patient asked for Monday instead" },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.booking.start).toBe("2026-12-21T09:00:00-08:00");
    const refused = await staffPost(`/api/staff/bookings/${overriddenId}/reschedule`, {
      start: "2026-12-15T09:00:00-08:00",
    });
    expect(refused.body.error).toMatchObject({
      code: "SPACING_TOO_SOON",
      previousSession: { id: firstId },
    });
    const cancelled = await staffPost(`/api/staff/bookings/${overriddenId}/cancel`);
    expect(cancelled.body.booking.status).toBe("cancelled");
    const missing = await staffPost("/api/staff/bookings/nope/cancel");
    expect(missing.status).toBe(404);
  });

  it("logs name ids, never the patient's name, email or phone", () => {
    const logged = JSON.stringify(app.logger.lines);
    expect(app.logger.lines.length).toBeGreaterThan(3);
    for (const secret of [patient.name, patient.email, "555-0199"])
      expect(logged).not.toContain(secret);
  });
});
