import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookingBody, emailsTo, startTestApp, type TestApp } from "../support/test-app";

/**
 * The whole journey on the local stack: book, complete, play six weeks forward
 * through the same handler the Scheduler target uses, then read what
 * aws-ses-v2-local received.
 */
let app: TestApp;
let auth: { authorization: string };
beforeAll(async () => {
  app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
  auth = { authorization: `Bearer ${await app.staffToken("receptionist")}` };
});
afterAll(() => app.close());

const email = "journey@example.com";
const name = `Zoë "Zed" O'Neil & Co`;

const EXPECTED_SUBJECTS = [
  "Your appointment at Face of Jules is confirmed",
  "REMINDER",
  "Your aftercare plan from Face of Jules",
  "Day 2: gentle cleansing and mineral SPF",
  "Day 3: flaking is normal",
  "One week on: easing back into your routine",
  "Week 2: vitamin C can come back",
  "Weeks 3 to 4: exfoliants and retinoids, slowly",
  "When you can book your next session",
  "A reminder to book your next session",
];

describe("the aftercare journey", () => {
  let bookingId = "";

  it("books and sends the confirmation with its calendar file at once", async () => {
    const res = await app.request("/api/bookings", {
      method: "POST",
      json: bookingBody({ start: "2026-12-08T13:00:00-08:00", patient: { name, email } }),
    });
    expect(res.status).toBe(201);
    bookingId = ((await res.json()) as { booking: { id: string } }).booking.id;
    await app.runFollowUps("2026-11-30T18:00:00Z");
    const [confirmation, ...rest] = await emailsTo(email);
    expect(rest).toEqual([]);
    expect(confirmation?.subject).toBe(EXPECTED_SUBJECTS[0]);
    expect(confirmation?.body.text).toContain("Tuesday 8 December 2026");
    expect(confirmation?.body.text).toContain(`https://clinic.test/manage/${bookingId}?token=`);
  });

  it("sends the reminder the day before, then the session is completed", async () => {
    await app.runFollowUps("2026-12-07T22:00:00Z");
    const mails = await emailsTo(email);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toMatch(/^See you tomorrow at 1:00/);
    app.clock.set("2026-12-08T21:30:00Z"); // 13:30 local: the session has started
    const done = await app.request(`/api/staff/bookings/${bookingId}/complete`, {
      method: "POST",
      headers: auth,
    });
    expect(done.status).toBe(200);
  });

  it("plays six weeks forward: every step arrives once, in order, with the guide's content", async () => {
    const counts = await app.runFollowUps("2027-02-01T00:00:00Z");
    expect(counts).toMatchObject({ failed: 0, sent: 8 });
    const mails = await emailsTo(email);
    const subjects = mails.map((m) => m.subject);
    expect(subjects.slice(2)).toEqual(EXPECTED_SUBJECTS.slice(2));
    for (const s of subjects) expect(s).not.toMatch(/micro.?needling/i);

    const plan = mails[2];
    expect(plan?.body.text).toContain("hyaluronic acid");
    expect(plan?.body.text).toMatch(/Zinc Oxide/i);
    expect(plan?.body.html).toContain("<table");
    // The patient's name, escaped in HTML, readable in text.
    expect(plan?.body.html).toContain("Zoë &quot;Zed&quot; O&#39;Neil &amp; Co");
    expect(plan?.body.html).not.toContain(name);
    expect(plan?.body.text).toContain(name);

    const rebook = mails.find((m) => m.subject === "When you can book your next session");
    // 28 days after 2026-12-08 is Tuesday 5 January 2027.
    expect(rebook?.body.text).toContain("Tuesday 5 January 2027");
    expect(rebook?.body.text).toMatch(/https:\/\/clinic\.test\/book\?rebook=v1\.rebook\./);

    // The rebooking link knows the patient: availability names their earliest date.
    const token = decodeURIComponent(rebook?.body.text?.match(/rebook=([^\s&]+)/)?.[1] ?? "");
    const avail = await app.request(
      `/api/availability?treatmentId=microneedling-face&from=2026-12-29&to=2027-01-08&rebook=${encodeURIComponent(token)}`,
    );
    expect(avail.status).toBe(200);
    expect(((await avail.json()) as { earliestAllowedDate?: string }).earliestAllowedDate).toBe(
      "2027-01-05",
    );
    const tampered = await app.request(
      `/api/availability?treatmentId=microneedling-face&from=2026-12-29&to=2027-01-08&rebook=${encodeURIComponent(`${token}x`)}`,
    );
    expect(tampered.status).toBe(200);
    expect(
      ((await tampered.json()) as { earliestAllowedDate?: string }).earliestAllowedDate,
    ).toBeUndefined();

    // Nothing more to send, however often the runner looks.
    const again = await app.runFollowUps("2027-03-01T00:00:00Z");
    expect(again.sent).toBe(0);
    expect(await emailsTo(email)).toHaveLength(mails.length);
  });

  it("staff see each follow-up with its status and SES message id, and the email sent", async () => {
    const res = await app.request(`/api/staff/bookings/${bookingId}/follow-ups`, { headers: auth });
    const { followUps } = (await res.json()) as {
      followUps: { step: string; status: string; messageId?: string; dueAt: string }[];
    };
    const byStep = Object.fromEntries(followUps.map((f) => [f.step, f]));
    expect(byStep["confirmation-1"]).toMatchObject({ status: "sent" });
    expect(byStep["reminder-1"]).toMatchObject({ status: "sent" });
    // Completed by staff: the automatic completion was cancelled.
    expect(byStep["auto-complete-1"]).toMatchObject({ status: "cancelled" });
    // Hour 24 after the 14:00 end: "Day 2 (24–48 hours)" begins.
    expect(byStep["day-2"]).toMatchObject({ status: "sent", dueAt: "2026-12-09T14:00:00-08:00" });
    const sent = followUps.filter((f) => f.status === "sent");
    expect(sent).toHaveLength(10);
    for (const f of sent) expect(f.messageId).toMatch(/^ses-/);

    const mail = await app.request(`/api/staff/bookings/${bookingId}/follow-ups/day-3/email`, {
      headers: auth,
    });
    const body = (await mail.json()) as { subject: string; html: string; messageId: string };
    expect(body.subject).toBe("Day 3: flaking is normal");
    expect(body.messageId).toBe(byStep["day-3"]?.messageId);
  });
});

describe("the last reminder", () => {
  it("is not sent once the patient has rebooked, without reading the patient again", async () => {
    const who = "rebooked@example.com";
    app.clock.set("2026-11-30T18:00:00Z");
    const res = await app.request("/api/bookings", {
      method: "POST",
      json: bookingBody({
        start: "2026-12-09T13:00:00-08:00",
        patient: { name: "Rhea", email: who },
      }),
    });
    const { booking } = (await res.json()) as { booking: { id: string } };
    app.clock.set("2026-12-09T21:30:00Z");
    await app.request(`/api/staff/bookings/${booking.id}/complete`, {
      method: "POST",
      headers: auth,
    });
    // A month later the patient books the next session (after the earliest allowed date).
    await app.runFollowUps("2027-01-06T19:00:00Z");
    app.clock.set("2027-01-07T18:00:00Z");
    const next = await app.request("/api/bookings", {
      method: "POST",
      json: bookingBody({
        start: "2027-01-12T13:00:00-08:00",
        patient: { name: "Rhea", email: who },
      }),
    });
    expect(next.status).toBe(201);
    await app.runFollowUps("2027-01-25T00:00:00Z");
    const res2 = await app.request(`/api/staff/bookings/${booking.id}/follow-ups`, {
      headers: auth,
    });
    const { followUps } = (await res2.json()) as {
      followUps: { step: string; status: string; error?: string }[];
    };
    expect(followUps.find((f) => f.step === "day-28")).toMatchObject({ status: "sent" });
    // The next session was completed automatically on 12 January: its timeline took over.
    const nextId = ((await next.json()) as { booking: { id: string } }).booking.id;
    expect(followUps.find((f) => f.step === "day-42")).toMatchObject({
      status: "superseded",
      supersededBy: { bookingId: nextId, date: "2027-01-12" },
    });
    const subjects = (await emailsTo(who)).map((m) => m.subject);
    expect(subjects).not.toContain("A reminder to book your next session");
  });
});

describe("consent and suppression outlive later bookings", () => {
  it("an address that bounced before it ever booked gets nothing, booking after booking", async () => {
    const { suppressAddress } = await import("../../shared/services/consent");
    const who = "never-seen@example.com";
    await suppressAddress(app.deps.bookings, {
      email: who,
      reason: "Permanent bounce (General)",
      locationIds: [app.deps.bookings.locationId],
    });
    app.clock.set("2026-11-30T18:00:00Z");
    for (const start of ["2026-12-14T13:00:00-08:00", "2027-01-19T13:00:00-08:00"]) {
      const res = await app.request("/api/bookings", {
        method: "POST",
        json: bookingBody({ start, patient: { name: "Bo Unce", email: who } }),
      });
      expect(res.status).toBe(201);
      await app.runFollowUps("2026-11-30T18:00:00Z");
    }
    expect(await emailsTo(who)).toEqual([]);
    const res = await app.request(`/api/staff/patients?email=${encodeURIComponent(who)}`, {
      headers: auth,
    });
    const { patient } = (await res.json()) as {
      patient: { suppressed: { reason: string } | null };
    };
    expect(patient.suppressed?.reason).toBe("Permanent bounce (General)");
  });
});
