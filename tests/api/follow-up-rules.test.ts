import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { suppressionsIn } from "../../functions/ses-events/ses-notification";
import { localSesClient } from "../../local/compose";
import { demoClinic } from "../../local/demo-clinic";
import { SesRawMailer } from "../../shared/adapters/mail/ses-raw-mailer";
import type { Catalog } from "../../shared/domain/catalog";
import { MailError, type MailFailure, type RawMailer } from "../../shared/ports";
import { suppressAddress } from "../../shared/services/consent";
import { type FollowUpDeps, runFollowUp } from "../../shared/services/follow-ups";
import { bookingBody, emailsTo, startTestApp, type TestApp } from "../support/test-app";

/**
 * The rules of the follow-ups, through the real app on the local stack: when each
 * is due (DST included), exactly once under redelivery, what a booking change, a
 * consent change or an SES bounce does to the rest, and what SES faults leave.
 * Each scenario runs on its own table, so playing time forward in one never
 * touches another.
 */

const LOCATION = "face-of-jules";
const opened: TestApp[] = [];
let token: string | undefined;

afterAll(async () => {
  await Promise.all(opened.map((a) => a.close()));
});

interface Ctx {
  app: TestApp;
  auth: { authorization: string };
}

async function open(
  now: string,
  options: { rawMailer?: RawMailer; catalog?: Catalog } = {},
): Promise<Ctx> {
  const app = await startTestApp({ now, ...options });
  opened.push(app);
  // Cognito tokens are valid for every app of the run (one pool).
  token ??= await app.staffToken("receptionist");
  return { app, auth: { authorization: `Bearer ${token}` } };
}

/** An address no other test (or test file) uses. */
const address = (tag: string) => `fur-${tag}-${randomBytes(4).toString("hex")}@example.com`;

type FollowUpView = {
  id: string;
  step: string;
  kind: string;
  dueAt: string;
  status: string;
  sentAt?: string;
  messageId?: string;
  error?: string;
  subject?: string;
};

async function json(res: Response) {
  const text = await res.text();
  try {
    return JSON.parse(text) as any;
  } catch {
    return { text };
  }
}

async function staffPost(ctx: Ctx, path: string, body?: unknown) {
  const res = await ctx.app.request(path, {
    method: "POST",
    headers: ctx.auth,
    ...(body !== undefined ? { json: body } : {}),
  });
  return { status: res.status, body: await json(res) };
}

async function staffGet(ctx: Ctx, path: string) {
  const res = await ctx.app.request(path, { headers: ctx.auth });
  return { status: res.status, body: await json(res) };
}

async function staffBook(
  ctx: Ctx,
  start: string,
  email: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; manageUrl: string }> {
  const r = await staffPost(
    ctx,
    "/api/staff/bookings",
    bookingBody({ start, patient: { name: "Fay Low", email }, ...extra }),
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id: r.body.booking.id, manageUrl: r.body.manageUrl };
}

async function publicBook(
  ctx: Ctx,
  start: string,
  email: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; token: string }> {
  const res = await ctx.app.request("/api/bookings", {
    method: "POST",
    json: bookingBody({ start, patient: { name: "Pat Lick", email }, ...extra }),
  });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(201);
  return {
    id: body.booking.id,
    token: new URL(body.manageUrl).searchParams.get("token") ?? "",
  };
}

async function followUps(ctx: Ctx, bookingId: string): Promise<FollowUpView[]> {
  const r = await staffGet(ctx, `/api/staff/bookings/${bookingId}/follow-ups`);
  expect(r.status).toBe(200);
  return r.body.followUps;
}

async function byStep(ctx: Ctx, bookingId: string): Promise<Record<string, FollowUpView>> {
  return Object.fromEntries((await followUps(ctx, bookingId)).map((f) => [f.step, f]));
}

async function statusOf(ctx: Ctx, bookingId: string): Promise<string> {
  const r = await staffGet(ctx, `/api/staff/bookings/${bookingId}`);
  expect(r.status).toBe(200);
  return r.body.booking.status;
}

async function patient(ctx: Ctx, email: string) {
  const r = await staffGet(ctx, `/api/staff/patients?email=${encodeURIComponent(email)}`);
  expect(r.status).toBe(200);
  return r.body.patient as {
    aftercareOptOut: boolean;
    suppressed: { reason: string; at: string } | null;
  };
}

const subjects = async (email: string) => (await emailsTo(email)).map((m) => m.subject);

/** aws-ses-v2-local's stored emails with their attachments (base64 content). */
async function rawEmailsTo(email: string) {
  const res = await fetch(`${inject("sesEndpoint")}/store`);
  const { emails } = (await res.json()) as {
    emails: {
      messageId: string;
      subject: string;
      destination: { to: string[] };
      attachments?: { filename?: string; contentType?: string; content: string }[];
    }[];
  };
  return emails.filter((e) => e.destination.to.some((t) => t.toLowerCase().includes(email)));
}

function icsOf(mail: Awaited<ReturnType<typeof rawEmailsTo>>[number] | undefined): string {
  const ics = mail?.attachments?.find((a) => a.filename === "appointment.ics");
  expect(ics, "the email carries appointment.ics").toBeDefined();
  return Buffer.from(ics?.content ?? "", "base64").toString("utf8");
}

const AFTERCARE_STEPS = [
  "plan",
  "day-2",
  "day-3",
  "week-1",
  "week-2",
  "weeks-3-4",
  "day-28",
  "day-42",
];

// ---------------------------------------------------------------------------

describe("1. aftercare due times across daylight-saving changes", () => {
  it("a session on Friday 2026-10-30: days 2 and 3 in elapsed hours from its end, week 1 at 09:00 local, across 1 November", async () => {
    const ctx = await open("2026-10-20T17:00:00Z");
    const email = address("dst-nov");
    const { id } = await staffBook(ctx, "2026-10-30T10:00:00-07:00", email);
    await ctx.app.runFollowUps("2026-10-30T16:00:00Z"); // confirmation and reminder
    ctx.app.clock.set("2026-10-30T17:30:00Z"); // 10:30 local: the session has started
    expect((await staffPost(ctx, `/api/staff/bookings/${id}/complete`)).status).toBe(200);

    const due = await byStep(ctx, id);
    // The plan opens with the first 24 hours, so it goes as the session is marked.
    expect(due.plan).toMatchObject({ dueAt: "2026-10-30T10:30:00-07:00", status: "scheduled" });
    // "Day 2 (24–48 hours)" as hour 24 after the 11:00 end begins; day 3 at hour 48,
    // which the extra hour of 1 November puts at 10:00 on the wall clock.
    expect(due["day-2"]).toMatchObject({ dueAt: "2026-10-31T11:00:00-07:00", status: "scheduled" });
    expect(due["day-3"]).toMatchObject({ dueAt: "2026-11-01T10:00:00-08:00", status: "scheduled" });
    expect(Date.parse(due["day-3"]?.dueAt ?? "") - Date.parse(due["day-2"]?.dueAt ?? "")).toBe(
      24 * 3_600_000,
    );
    // A step on a day at a local time keeps its 09:00.
    expect(due["week-1"]?.dueAt).toBe("2026-11-06T09:00:00-08:00");
    expect(due["day-1"]).toBeUndefined();

    await ctx.app.runFollowUps("2026-11-03T00:00:00Z");
    const sent = await byStep(ctx, id);
    for (const step of ["plan", "day-2", "day-3"]) {
      expect(sent[step], step).toMatchObject({ status: "sent", sentAt: due[step]?.dueAt });
    }
    expect(sent["week-1"]?.status).toBe("scheduled");
    expect(await subjects(email)).toEqual([
      "Your appointment at Face of Jules is confirmed",
      "See you tomorrow at 10:00 AM",
      "Your aftercare plan from Face of Jules",
      "Day 2: gentle cleansing and mineral SPF",
      "Day 3: flaking is normal",
    ]);
  });

  it("a session on Friday 2026-03-06: day 3 at hour 48 is 12:00 PDT on 8 March, the hour lost", async () => {
    const ctx = await open("2026-02-25T18:00:00Z");
    const email = address("dst-mar");
    const { id } = await staffBook(ctx, "2026-03-06T10:00:00-08:00", email);
    ctx.app.clock.set("2026-03-06T18:30:00Z"); // 10:30 PST
    expect((await staffPost(ctx, `/api/staff/bookings/${id}/complete`)).status).toBe(200);

    const due = await byStep(ctx, id);
    expect(due["day-2"]?.dueAt).toBe("2026-03-07T11:00:00-08:00");
    expect(due["day-3"]?.dueAt).toBe("2026-03-08T12:00:00-07:00");
    expect(due["week-1"]?.dueAt).toBe("2026-03-13T09:00:00-07:00");
    expect(Date.parse(due["day-3"]?.dueAt ?? "") - Date.parse(due["day-2"]?.dueAt ?? "")).toBe(
      24 * 3_600_000,
    );

    await ctx.app.runFollowUps("2026-03-10T00:00:00Z");
    const sent = await byStep(ctx, id);
    for (const step of ["plan", "day-2", "day-3"]) {
      expect(sent[step], step).toMatchObject({ status: "sent", sentAt: due[step]?.dueAt });
    }
    expect(await subjects(email)).toContain("Day 2: gentle cleansing and mineral SPF");
  });

  it("a session marked completed at night: its plan goes at 08:00, day 2 still as its window opens", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("late-evening");
    // Tue 8 Dec, 17:30 to 18:30 PST, marked completed at 20:30 (after sending hours).
    const { id } = await staffBook(ctx, "2026-12-08T17:30:00-08:00", email, {
      practitionerId: "maya",
    });
    ctx.app.clock.set("2026-12-09T04:30:00Z");
    expect((await staffPost(ctx, `/api/staff/bookings/${id}/complete`)).status).toBe(200);
    const due = await byStep(ctx, id);
    expect(due.plan?.dueAt).toBe("2026-12-09T08:00:00-08:00");
    expect(due["day-2"]?.dueAt).toBe("2026-12-09T18:30:00-08:00");
    expect(due["day-3"]?.dueAt).toBe("2026-12-10T18:30:00-08:00");
    await ctx.app.runFollowUps("2026-12-09T15:59:00Z");
    expect(await subjects(email)).not.toContain("Your aftercare plan from Face of Jules");
    await ctx.app.runFollowUps("2026-12-09T16:00:00Z");
    expect(await subjects(email)).toContain("Your aftercare plan from Face of Jules");
  });
});

// ---------------------------------------------------------------------------

describe("2. at-least-once delivery sends exactly once", () => {
  it("one follow-up delivered 5 times at once: one email, one sent follow-up; a 6th later does nothing", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("redeliver");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    ctx.app.clock.set("2026-12-08T18:30:00Z");
    expect((await staffPost(ctx, `/api/staff/bookings/${id}/complete`)).status).toBe(200);

    ctx.app.clock.set("2026-12-09T19:00:30Z"); // day 2 is due at 11:00 PST, hour 24
    const event = { locationId: LOCATION, bookingId: id, step: "day-2" };
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => runFollowUp(ctx.app.followUps, event)),
    );
    expect(outcomes.sort()).toEqual([
      "nothing-to-do",
      "nothing-to-do",
      "nothing-to-do",
      "nothing-to-do",
      "sent",
    ]);
    const mails = await emailsTo(email);
    expect(mails.map((m) => m.subject)).toEqual(["Day 2: gentle cleansing and mineral SPF"]);
    const day2 = (await byStep(ctx, id))["day-2"];
    expect(day2).toMatchObject({ status: "sent", sentAt: "2026-12-09T11:00:30-08:00" });
    expect(day2?.messageId).toBe(mails[0]?.messageId);
    expect((await ctx.app.stores.followUps.get(LOCATION, id, "day-2"))?.attempts).toBe(1);

    ctx.app.clock.set("2026-12-10T17:00:00Z");
    expect(await runFollowUp(ctx.app.followUps, event)).toBe("nothing-to-do");
    expect(await emailsTo(email)).toHaveLength(1);
    expect((await byStep(ctx, id))["day-2"]).toEqual(day2);
  });

  it("the automatic completion delivered 5 times at once completes once and writes the aftercare once", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", address("redeliver-ac"));
    ctx.app.clock.set("2026-12-08T21:00:00Z"); // 13:00 PST: end + 2 h
    const event = { locationId: LOCATION, bookingId: id, step: "auto-complete-1" };
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => runFollowUp(ctx.app.followUps, event)),
    );
    expect(outcomes.filter((o) => o === "done")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "nothing-to-do")).toHaveLength(4);
    expect(await statusOf(ctx, id)).toBe("completed");
    const aftercare = (await followUps(ctx, id)).filter((f) => f.kind === "aftercare");
    expect(aftercare.map((f) => f.step).sort()).toEqual([...AFTERCARE_STEPS].sort());
  });

  it("a delivery more than 5 minutes early does nothing and leaves it scheduled; the one on time sends", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("early");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    const event = { locationId: LOCATION, bookingId: id, step: "reminder-1" };
    ctx.app.clock.set("2026-12-07T17:54:00Z"); // due 18:00Z
    expect(await runFollowUp(ctx.app.followUps, event)).toBe("nothing-to-do");
    expect((await byStep(ctx, id))["reminder-1"]?.status).toBe("scheduled");
    expect(await emailsTo(email)).toEqual([]);
    ctx.app.clock.set("2026-12-07T18:00:00Z");
    expect(await runFollowUp(ctx.app.followUps, event)).toBe("sent");
    expect(await subjects(email)).toEqual(["See you tomorrow at 10:00 AM"]);
  });

  it("a clinic that reminds 48 hours ahead names the day: never 'tomorrow' two days early", async () => {
    const policy = { ...demoClinic.clinic.policy, reminderHoursBefore: 48 };
    const catalog = { ...demoClinic, clinic: { ...demoClinic.clinic, policy } };
    const ctx = await open("2026-11-30T18:00:00Z", { catalog });
    const email = address("lead-48");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    expect((await byStep(ctx, id))["reminder-1"]?.dueAt).toBe("2026-12-06T10:00:00-08:00");
    ctx.app.clock.set("2026-12-06T18:00:00Z");
    const event = { locationId: LOCATION, bookingId: id, step: "reminder-1" };
    expect(await runFollowUp(ctx.app.followUps, event)).toBe("sent");
    expect(await subjects(email)).toEqual(["See you on Tuesday 8 December at 10:00 AM"]);
  });
});

// ---------------------------------------------------------------------------

describe("3. booking changes rewrite the follow-ups", () => {
  it("a public reschedule cancels the -1 follow-ups and schedules -2 ones; moved before its confirmation went out, the patient hears 'confirmed' once, SEQUENCE 2", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("move-public");
    const { id, token: manage } = await publicBook(ctx, "2026-12-08T10:00:00-08:00", email);
    ctx.app.clock.set("2026-12-01T18:00:00Z");
    const res = await ctx.app.request(
      `/api/bookings/${id}/reschedule?token=${encodeURIComponent(manage)}`,
      { method: "POST", json: { start: "2026-12-09T11:00:00-08:00" } },
    );
    expect(res.status).toBe(200);

    const f = await byStep(ctx, id);
    for (const step of ["confirmation-1", "reminder-1", "auto-complete-1"]) {
      expect(f[step], step).toMatchObject({ status: "cancelled", error: "The booking was moved." });
    }
    expect(f["confirmation-2"]).toMatchObject({
      status: "scheduled",
      dueAt: "2026-12-01T10:00:00-08:00",
    });
    expect(f["reminder-2"]).toMatchObject({
      status: "scheduled",
      dueAt: "2026-12-08T11:00:00-08:00",
    });
    expect(f["auto-complete-2"]).toMatchObject({
      status: "scheduled",
      dueAt: "2026-12-09T14:00:00-08:00",
    });

    await ctx.app.runFollowUps("2026-12-01T18:00:00Z");
    const [confirmed, ...rest] = await rawEmailsTo(email);
    expect(rest).toEqual([]);
    // The first confirmation never went out: nothing was "moved" as far as the patient knows.
    expect(confirmed?.subject).toBe("Your appointment at Face of Jules is confirmed");
    const ics = icsOf(confirmed);
    expect(ics).toContain("SEQUENCE:2");
    expect(ics).toContain("DTSTART:20261209T190000Z");
    expect(ics).toContain(`UID:${id}@clinic.test`);

    // Played on: only the new reminder, at the new time; the new session completes itself.
    await ctx.app.runFollowUps("2026-12-09T22:00:00Z");
    const after = await byStep(ctx, id);
    expect(after["reminder-1"]?.status).toBe("cancelled");
    expect(after["reminder-2"]).toMatchObject({
      status: "sent",
      sentAt: "2026-12-08T11:00:00-08:00",
    });
    expect(after["auto-complete-2"]?.status).toBe("sent");
    expect(await statusOf(ctx, id)).toBe("completed");
    const all = await subjects(email);
    expect(all.filter((s) => s.startsWith("See you"))).toEqual(["See you tomorrow at 11:00 AM"]);
  });

  it("a staff reschedule after the confirmation went out keeps it sent and sends the update (same UID, SEQUENCE 1 → 2)", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("move-staff");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    await ctx.app.runFollowUps("2026-11-30T18:00:00Z");
    ctx.app.clock.set("2026-12-02T18:00:00Z");
    const r = await staffPost(ctx, `/api/staff/bookings/${id}/reschedule`, {
      start: "2026-12-10T14:00:00-08:00",
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);

    const f = await byStep(ctx, id);
    expect(f["confirmation-1"]?.status).toBe("sent");
    expect(f["reminder-1"]).toMatchObject({ status: "cancelled", error: "The booking was moved." });
    expect(f["auto-complete-1"]?.status).toBe("cancelled");
    expect(f["confirmation-2"]).toMatchObject({
      status: "scheduled",
      dueAt: "2026-12-02T10:00:00-08:00",
    });
    expect(f["reminder-2"]?.dueAt).toBe("2026-12-09T14:00:00-08:00");
    expect(f["auto-complete-2"]?.dueAt).toBe("2026-12-10T17:00:00-08:00");

    await ctx.app.runFollowUps("2026-12-02T18:00:00Z");
    const [first, second, ...rest] = await rawEmailsTo(email);
    expect(rest).toEqual([]);
    expect(first?.subject).toBe("Your appointment at Face of Jules is confirmed");
    expect(second?.subject).toBe("Your appointment at Face of Jules has been moved");
    const uid = (ics: string) => ics.match(/^UID:(.*)$/m)?.[1];
    expect(icsOf(first)).toContain("SEQUENCE:1");
    expect(icsOf(second)).toContain("SEQUENCE:2");
    expect(uid(icsOf(second))).toBe(uid(icsOf(first)));
  });

  it("a clinic cancel: every pending follow-up becomes cancelled, the patient gets the clinic's cancellation at once (CANCEL, SEQUENCE 2), and nothing more", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("cancel");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    await ctx.app.runFollowUps("2026-11-30T18:00:00Z");
    ctx.app.clock.set("2026-12-03T18:00:00Z");
    expect((await staffPost(ctx, `/api/staff/bookings/${id}/cancel`)).status).toBe(200);

    const f = await byStep(ctx, id);
    expect(f["confirmation-1"]?.status).toBe("sent");
    for (const step of ["reminder-1", "auto-complete-1"]) {
      expect(f[step], step).toMatchObject({
        status: "cancelled",
        error: "The booking was marked cancelled.",
      });
    }
    expect(f["cancellation-2"]).toMatchObject({
      kind: "cancellation",
      status: "scheduled",
      dueAt: "2026-12-03T10:00:00-08:00",
    });
    const counts = await ctx.app.runFollowUps("2027-03-01T00:00:00Z");
    expect(counts).toMatchObject({ sent: 1, done: 0, failed: 0 });
    expect(await subjects(email)).toEqual([
      "Your appointment at Face of Jules is confirmed",
      "Face of Jules has had to cancel your appointment",
    ]);
    const [first, cancelled] = await rawEmailsTo(email);
    const uid = (ics: string) => ics.match(/^UID:(.*)$/m)?.[1];
    const ics = icsOf(cancelled);
    for (const line of ["METHOD:CANCEL", "SEQUENCE:2", "STATUS:CANCELLED"]) {
      expect(ics).toContain(line);
    }
    expect(uid(ics)).toBe(uid(icsOf(first)));
    const after = await byStep(ctx, id);
    expect(after["cancellation-2"]).toMatchObject({
      status: "sent",
      sentAt: "2026-12-03T10:00:00-08:00",
    });
    expect({ ...after, "cancellation-2": f["cancellation-2"] }).toEqual(f);
    expect(await statusOf(ctx, id)).toBe("cancelled");
  });

  it("a staff cancel at the patient's request says 'as asked'; the clinic's wording is only for its own cancels", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("cancel-asked");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    await ctx.app.runFollowUps("2026-11-30T18:00:00Z");
    const bad = await staffPost(ctx, `/api/staff/bookings/${id}/cancel`, { cancelledBy: "nobody" });
    expect(bad.status).toBe(422);
    expect(await statusOf(ctx, id)).toBe("confirmed");
    const r = await staffPost(ctx, `/api/staff/bookings/${id}/cancel`, { cancelledBy: "patient" });
    expect(r.status).toBe(200);
    await ctx.app.runFollowUps("2026-11-30T18:05:00Z");
    const mails = await emailsTo(email);
    expect(mails.map((m) => m.subject)).toEqual([
      "Your appointment at Face of Jules is confirmed",
      "Your appointment at Face of Jules is cancelled",
    ]);
  });

  it("a patient's cancel before anything went out cancels the confirmation too", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("cancel-public");
    const { id, token: manage } = await publicBook(ctx, "2026-12-08T10:00:00-08:00", email);
    const res = await ctx.app.request(
      `/api/bookings/${id}/cancel?token=${encodeURIComponent(manage)}`,
      { method: "POST" },
    );
    expect(res.status).toBe(200);
    const list = await followUps(ctx, id);
    expect(list.map((f) => [f.step, f.status]).sort()).toEqual([
      ["auto-complete-1", "cancelled"],
      ["confirmation-1", "cancelled"],
      ["reminder-1", "cancelled"],
    ]);
    await ctx.app.runFollowUps("2027-03-01T00:00:00Z");
    expect(await emailsTo(email)).toEqual([]);
  });

  it("no-show: no aftercare is created; the plan's 'we missed you' goes at once with a booking link, and nothing after it", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("no-show");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    await ctx.app.runFollowUps("2026-12-08T17:59:00Z");
    expect(await emailsTo(email)).toHaveLength(2);
    ctx.app.clock.set("2026-12-08T18:20:00Z");
    expect((await staffPost(ctx, `/api/staff/bookings/${id}/no-show`)).status).toBe(200);

    await ctx.app.runFollowUps("2027-03-01T00:00:00Z");
    const list = await followUps(ctx, id);
    expect(list.filter((f) => f.kind === "aftercare")).toEqual([
      expect.objectContaining({
        step: "no-show",
        status: "sent",
        sentAt: "2026-12-08T10:20:00-08:00",
      }),
    ]);
    expect(list.find((f) => f.step === "auto-complete-1")).toMatchObject({
      status: "cancelled",
      error: "The booking was marked no-show.",
    });
    const mails = await emailsTo(email);
    expect(mails).toHaveLength(3);
    expect(mails[2]?.subject).toBe("We missed you at Face of Jules");
    expect(mails[2]?.body.text).toContain("your appointment on Tuesday 8 December 2026");
    expect(mails[2]?.body.text).toMatch(
      /choose a date here: https:\/\/clinic\.test\/book\?rebook=/,
    );
    expect(await statusOf(ctx, id)).toBe("no-show");
  });

  it("no-show: skipped when the patient has already rebooked; and a plan without the step sends nothing", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("no-show-rebooked");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    ctx.app.clock.set("2026-12-08T18:20:00Z");
    // The no-show email is scheduled for 09:00 tomorrow here; she rebooks first.
    const admin = { authorization: `Bearer ${await ctx.app.staffToken("admin")}` };
    const plan = await ctx.app.request("/api/staff/aftercare-plan", { headers: admin });
    const { steps } = (await plan.json()) as {
      steps: { id: string; offsetDays: number; sendAt: string | null }[];
    };
    const later = steps.map((s) =>
      s.id === "no-show" ? { ...s, offsetDays: 1, sendAt: "09:00" } : s,
    );
    const put = await ctx.app.request("/api/staff/aftercare-plan", {
      method: "PUT",
      headers: admin,
      json: { steps: later },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    expect((await staffPost(ctx, `/api/staff/bookings/${id}/no-show`)).status).toBe(200);
    expect((await byStep(ctx, id))["no-show"]?.dueAt).toBe("2026-12-09T09:00:00-08:00");
    await staffBook(ctx, "2026-12-10T10:00:00-08:00", email);
    await ctx.app.runFollowUps("2026-12-09T18:00:00Z");
    expect((await byStep(ctx, id))["no-show"]).toMatchObject({
      status: "skipped",
      error: "Already rebooked.",
    });
    expect((await subjects(email)).filter((s) => s.startsWith("We missed you"))).toEqual([]);

    // Switched off: the clinic removes the step, and a no-show sends nothing more.
    const off = await ctx.app.request("/api/staff/aftercare-plan", {
      method: "PUT",
      headers: admin,
      json: { steps: steps.filter((s) => s.id !== "no-show") },
    });
    expect(off.status).toBe(200);
    const other = address("no-show-off");
    const { id: missed } = await staffBook(ctx, "2026-12-11T10:00:00-08:00", other);
    ctx.app.clock.set("2026-12-11T18:20:00Z");
    expect((await staffPost(ctx, `/api/staff/bookings/${missed}/no-show`)).status).toBe(200);
    await ctx.app.runFollowUps("2027-01-31T00:00:00Z");
    expect((await followUps(ctx, missed)).filter((f) => f.kind === "aftercare")).toEqual([]);
    expect((await subjects(other)).filter((s) => s.startsWith("We missed you"))).toEqual([]);
  });

  it("completing before the session starts is 409 INVALID_STATE; from its start it works", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", address("early-complete"));
    ctx.app.clock.set("2026-12-08T17:59:00Z"); // 09:59 local
    for (const action of ["complete", "no-show"]) {
      const r = await staffPost(ctx, `/api/staff/bookings/${id}/${action}`);
      expect(r.status, action).toBe(409);
      expect(r.body.error.code).toBe("INVALID_STATE");
    }
    expect((await followUps(ctx, id)).filter((f) => f.kind === "aftercare")).toEqual([]);
    ctx.app.clock.set("2026-12-08T18:00:00Z"); // 10:00 local, the start
    const done = await staffPost(ctx, `/api/staff/bookings/${id}/complete`);
    expect(done.status).toBe(200);
    expect(done.body.booking.status).toBe("completed");
    // Completed once: a second completion is refused.
    const again = await staffPost(ctx, `/api/staff/bookings/${id}/complete`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("INVALID_STATE");
    expect((await followUps(ctx, id)).filter((f) => f.kind === "aftercare")).toHaveLength(8);
  });

  it("a booking left alone is completed 2 hours after its end, and its aftercare then arrives", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("auto-complete");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    // Ends 11:00 PST; completes itself at 13:00 PST = 21:00Z.
    await ctx.app.runFollowUps("2026-12-08T20:59:00Z");
    expect(await statusOf(ctx, id)).toBe("confirmed");
    expect((await byStep(ctx, id))["auto-complete-1"]).toMatchObject({
      status: "scheduled",
      dueAt: "2026-12-08T13:00:00-08:00",
    });

    await ctx.app.runFollowUps("2026-12-08T21:00:00Z");
    expect(await statusOf(ctx, id)).toBe("completed");
    const f = await byStep(ctx, id);
    expect(f["auto-complete-1"]).toMatchObject({ status: "sent" });
    expect(f.plan).toMatchObject({ status: "sent", sentAt: "2026-12-08T13:00:00-08:00" });
    expect(f["day-2"]).toMatchObject({ status: "scheduled", dueAt: "2026-12-09T11:00:00-08:00" });

    const counts = await ctx.app.runFollowUps("2027-02-01T00:00:00Z");
    expect(counts).toMatchObject({ failed: 0 });
    const all = await subjects(email);
    expect(all).toHaveLength(10);
    expect(all.at(-1)).toBe("A reminder to book your next session");
  });
});

// ---------------------------------------------------------------------------

/** The page link of the aftercare plan email, as sent (its token is also the one-click token). */
async function unsubscribeTokenFromPlan(ctx: Ctx, bookingId: string): Promise<string> {
  const r = await staffGet(ctx, `/api/staff/bookings/${bookingId}/follow-ups/plan/email`);
  expect(r.status).toBe(200);
  const m = (r.body.text as string).match(
    /https:\/\/clinic\.test\/unsubscribe\?token=([^\s"<>)]+)/,
  );
  expect(m, "the plan email links to the unsubscribe page").not.toBeNull();
  expect(r.body.html).toContain(`https://clinic.test/unsubscribe?token=${m?.[1]}`);
  return m?.[1] ?? ""; // still URL-encoded
}

async function completedWithPlanSent(ctx: Ctx, email: string) {
  const { id, manageUrl } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
  await ctx.app.runFollowUps("2026-12-08T17:00:00Z");
  ctx.app.clock.set("2026-12-08T18:30:00Z");
  expect((await staffPost(ctx, `/api/staff/bookings/${id}/complete`)).status).toBe(200);
  await ctx.app.runFollowUps("2026-12-08T18:30:00Z");
  expect((await byStep(ctx, id)).plan?.status).toBe("sent");
  return { id, manageUrl };
}

describe("4. consent", () => {
  it("consent.aftercareEmails false: confirmation and reminder, but no aftercare after completion", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("no-consent");
    const { id } = await publicBook(ctx, "2026-12-08T10:00:00-08:00", email, {
      consent: { aftercareEmails: false },
    });
    await ctx.app.runFollowUps("2026-12-08T17:00:00Z");
    ctx.app.clock.set("2026-12-08T18:30:00Z");
    expect((await staffPost(ctx, `/api/staff/bookings/${id}/complete`)).status).toBe(200);
    await ctx.app.runFollowUps("2027-03-01T00:00:00Z");
    expect((await followUps(ctx, id)).filter((f) => f.kind === "aftercare")).toEqual([]);
    expect(await subjects(email)).toEqual([
      "Your appointment at Face of Jules is confirmed",
      "See you tomorrow at 10:00 AM",
    ]);
  });

  it("one-click unsubscribe (RFC 8058) from the plan email stops the rest of the timeline", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("unsub");
    const { id, manageUrl } = await completedWithPlanSent(ctx, email);
    const encoded = await unsubscribeTokenFromPlan(ctx, id);
    const raw = decodeURIComponent(encoded);

    const oneClick = (tokenParam: string | null) =>
      ctx.app.request(`/api/unsubscribe${tokenParam === null ? "" : `?token=${tokenParam}`}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      });

    // Wrong, tampered, missing, or another purpose's token: 404, and nothing changes.
    const tampered = raw.slice(0, -1) + (raw.endsWith("A") ? "B" : "A");
    const manageToken = new URL(manageUrl).searchParams.get("token") ?? "";
    for (const bad of [
      encodeURIComponent(tampered),
      "not-a-token",
      "",
      null,
      encodeURIComponent(manageToken),
    ]) {
      const res = await oneClick(bad);
      expect(res.status, String(bad)).toBe(404);
    }
    expect((await patient(ctx, email)).aftercareOptOut).toBe(false);

    const res = await oneClick(encoded);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ unsubscribed: true });

    const f = await byStep(ctx, id);
    expect(f.plan?.status).toBe("sent");
    for (const step of AFTERCARE_STEPS.slice(1)) {
      expect(f[step], step).toMatchObject({
        status: "cancelled",
        error: "The patient unsubscribed.",
      });
    }
    expect(await patient(ctx, email)).toMatchObject({ aftercareOptOut: true, suppressed: null });

    const before = await subjects(email);
    expect(before.at(-1)).toBe("Your aftercare plan from Face of Jules");
    const counts = await ctx.app.runFollowUps("2027-03-01T00:00:00Z");
    expect(counts.sent).toBe(0);
    expect(await subjects(email)).toEqual(before);

    // A mail client may POST twice.
    expect((await oneClick(encoded)).status).toBe(200);
  });

  it("the unsubscribe page renders, and its form POST unsubscribes", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("unsub-page");
    const { id } = await completedWithPlanSent(ctx, email);
    const encoded = await unsubscribeTokenFromPlan(ctx, id);

    const page = await ctx.app.request(`/unsubscribe?token=${encoded}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("form-action 'self'");
    const html = await page.text();
    expect(html).toContain("Stop aftercare emails?");
    const action = html
      .match(/<form method="post" action="([^"]+)"/)?.[1]
      ?.replaceAll("&amp;", "&");
    expect(action).toMatch(/^\/unsubscribe\?token=/);
    expect((await patient(ctx, email)).aftercareOptOut).toBe(false);

    const posted = await ctx.app.request(action ?? "", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain("You are unsubscribed");
    expect((await patient(ctx, email)).aftercareOptOut).toBe(true);
    expect((await byStep(ctx, id))["day-2"]?.status).toBe("cancelled");

    const bad = await ctx.app.request("/unsubscribe?token=v1.unsubscribe.nope.0.x");
    expect(bad.status).toBe(404);
    expect(await bad.text()).toContain("This link has expired");
    expect((await ctx.app.request("/unsubscribe?token=nope", { method: "POST" })).status).toBe(404);
  });
});

// ---------------------------------------------------------------------------

/** The SNS Lambda event SES publishes to (one record per SES event). */
function snsEvent(sesEvent: object) {
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn:
          "arn:aws:sns:us-west-2:123456789012:clinic-ses-events:7f1d0d9e-5a4b-4c3d-9e8f-0a1b2c3d4e5f",
        Sns: {
          Type: "Notification",
          MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
          TopicArn: "arn:aws:sns:us-west-2:123456789012:clinic-ses-events",
          Subject: null,
          Message: JSON.stringify(sesEvent),
          Timestamp: "2026-12-01T18:00:02.000Z",
          SignatureVersion: "1",
          Signature: "EXAMPLE",
          SigningCertUrl: "https://sns.us-west-2.amazonaws.com/SimpleNotificationService.pem",
          UnsubscribeUrl: "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe",
          MessageAttributes: {},
        },
      },
    ],
  };
}

const sesMail = (to: string, tags?: Record<string, string[]>) => ({
  timestamp: "2026-12-01T18:00:00.000Z",
  source: "Face of Jules <hello@faceofjules.test>",
  sendingAccountId: "123456789012",
  messageId: "0101019a-0000-0000-0000-000000000000-000000",
  destination: [to],
  ...(tags ? { tags } : {}),
});

function bounce(to: string, bounceType: "Permanent" | "Transient", bounceSubType: string) {
  return snsEvent({
    eventType: "Bounce",
    bounce: {
      bounceType,
      bounceSubType,
      bouncedRecipients: [
        {
          emailAddress: `"Bo Unce" <${to.toUpperCase()}>`,
          action: "failed",
          status: bounceType === "Permanent" ? "5.1.1" : "4.2.2",
          diagnosticCode:
            bounceType === "Permanent" ? "smtp; 550 5.1.1 user unknown" : "smtp; 452 mailbox full",
        },
      ],
      timestamp: "2026-12-01T18:00:01.000Z",
      feedbackId: "0101019a-feedback",
      reportingMTA: "dsn; a8-70.smtp-out.amazonses.com",
    },
    mail: sesMail(to, {
      "ses:configuration-set": ["clinic-mail"],
      locationId: [LOCATION],
      followUp: ["confirmation"],
    }),
  });
}

function complaint(to: string) {
  // An identity notification: no tags, so every configured location is stopped.
  return snsEvent({
    notificationType: "Complaint",
    complaint: {
      userAgent: "Mozilla/5.0",
      complainedRecipients: [{ emailAddress: to }],
      complaintFeedbackType: "abuse",
      arrivalDate: "2026-12-01T18:00:00.000Z",
      timestamp: "2026-12-01T18:00:01.000Z",
      feedbackId: "0101019a-complaint",
    },
    mail: sesMail(to),
  });
}

/** What the ses-events handler does with each record, on the test app's deps. */
async function feed(ctx: Ctx, event: ReturnType<typeof snsEvent>) {
  let suppressed = 0;
  for (const record of event.Records) {
    for (const s of suppressionsIn(record.Sns.Message)) {
      await suppressAddress(ctx.app.deps.bookings, {
        email: s.email,
        reason: s.reason,
        locationIds: s.locationId ? [s.locationId] : [LOCATION],
      });
      suppressed++;
    }
  }
  return suppressed;
}

describe("5. bounces and complaints suppress the address", () => {
  it("a permanent bounce: the patient shows suppressed, pending emails stop, a new booking's emails are skipped", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("bounce");
    // An LED facial has no aftercare: the first session's completion adds no emails.
    const first = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email, {
      treatmentId: "led-facial",
    });
    await ctx.app.runFollowUps("2026-11-30T18:00:00Z");
    expect(await emailsTo(email)).toHaveLength(1);

    ctx.app.clock.set("2026-12-01T18:05:00Z");
    expect(await feed(ctx, bounce(email, "Permanent", "General"))).toBe(1);

    expect((await patient(ctx, email)).suppressed).toEqual({
      reason: "Permanent bounce (General)",
      at: "2026-12-01T18:05:00.000Z",
    });
    const f1 = await byStep(ctx, first.id);
    expect(f1["confirmation-1"]?.status).toBe("sent");
    expect(f1["reminder-1"]).toMatchObject({
      status: "cancelled",
      error: "Permanent bounce (General)",
    });
    // Not an email: the session still completes itself.
    expect(f1["auto-complete-1"]?.status).toBe("scheduled");

    const second = await staffBook(ctx, "2026-12-15T10:00:00-08:00", email);
    const f2 = await byStep(ctx, second.id);
    const why = "Not sent: the address is suppressed (Permanent bounce (General)).";
    expect(f2["confirmation-1"]).toMatchObject({ status: "skipped", error: why });
    expect(f2["reminder-1"]).toMatchObject({ status: "skipped", error: why });
    expect(f2["auto-complete-1"]?.status).toBe("scheduled");

    // Up to the second session's start: the first completes itself, nothing is emailed.
    await ctx.app.runFollowUps("2026-12-15T17:59:00Z");
    expect(await statusOf(ctx, first.id)).toBe("completed");
    expect(await emailsTo(email)).toHaveLength(1);
  });

  // Completing a session writes no aftercare timeline for a suppressed patient
  // (aftercareFor in services/bookings/change-status.ts): none of the plan's emails
  // goes to a hard-bounced address.
  it("a session completed after a permanent bounce sends no aftercare to that address", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("bounce-aftercare");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    await ctx.app.runFollowUps("2026-11-30T18:00:00Z");
    ctx.app.clock.set("2026-12-01T18:05:00Z");
    await feed(ctx, bounce(email, "Permanent", "General"));

    // Left alone: it completes itself at 13:00, then the weeks are played forward.
    await ctx.app.runFollowUps("2027-02-01T00:00:00Z");
    expect(await statusOf(ctx, id)).toBe("completed");
    const aftercare = (await followUps(ctx, id)).filter((f) => f.kind === "aftercare");
    expect(aftercare.filter((f) => f.status === "sent").map((f) => f.step)).toEqual([]);
    expect(await subjects(email)).toEqual(["Your appointment at Face of Jules is confirmed"]);
  });

  it("a transient bounce (mailbox full) suppresses nothing: the reminder still goes", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("transient");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    await ctx.app.runFollowUps("2026-11-30T18:00:00Z");
    expect(await feed(ctx, bounce(email, "Transient", "MailboxFull"))).toBe(0);
    expect((await patient(ctx, email)).suppressed).toBeNull();
    expect((await byStep(ctx, id))["reminder-1"]?.status).toBe("scheduled");
    await ctx.app.runFollowUps("2026-12-07T18:00:00Z");
    expect(await subjects(email)).toEqual([
      "Your appointment at Face of Jules is confirmed",
      "See you tomorrow at 10:00 AM",
    ]);
  });

  it("a complaint suppresses: the patient shows why, and the reminder is cancelled", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("complaint");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email, {
      treatmentId: "led-facial",
    });
    await ctx.app.runFollowUps("2026-11-30T18:00:00Z");
    ctx.app.clock.set("2026-12-01T19:00:00Z");
    expect(await feed(ctx, complaint(email))).toBe(1);
    expect((await patient(ctx, email)).suppressed).toEqual({
      reason: "Complaint (marked as spam)",
      at: "2026-12-01T19:00:00.000Z",
    });
    expect((await byStep(ctx, id))["reminder-1"]).toMatchObject({
      status: "cancelled",
      error: "Complaint (marked as spam)",
    });
    await ctx.app.runFollowUps("2027-01-01T00:00:00Z");
    expect(await emailsTo(email)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------

type Behaviour = "ok" | MailFailure;

/** A RawMailer that fails as told per recipient, then hands over to the real local SES. */
class ScriptedMailer implements RawMailer {
  private readonly scripts = new Map<string, { queue: Behaviour[]; then: Behaviour }>();
  private readonly counts = new Map<string, number>();
  constructor(private readonly real: RawMailer) {}

  script(to: string, queue: Behaviour[], then: Behaviour = "ok") {
    this.scripts.set(to, { queue: [...queue], then });
  }

  calls(to: string): number {
    return this.counts.get(to) ?? 0;
  }

  async sendRaw(message: { to: string; raw: Uint8Array; tags: Record<string, string> }) {
    this.counts.set(message.to, this.calls(message.to) + 1);
    const script = this.scripts.get(message.to);
    const next = script ? (script.queue.shift() ?? script.then) : "ok";
    if (next === "ok") return this.real.sendRaw(message);
    const text: Record<MailFailure, string> = {
      retryable: "Throttling: Maximum sending rate exceeded",
      unknown: "TimeoutError",
      rejected: "MessageRejected",
    };
    throw new MailError(next, text[next]);
  }
}

describe("6. SES faults", () => {
  const mailer = new ScriptedMailer(
    new SesRawMailer(localSesClient(inject("sesEndpoint"), { maxAttempts: 1 })),
  );
  let ctx: Ctx;
  const waits: number[] = [];
  const fast = (): FollowUpDeps => ({
    ...ctx.app.followUps,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  // One session per weekday (a session and its buffer block 75 minutes).
  const starts = [
    "2026-12-08T10:00:00-08:00",
    "2026-12-09T10:00:00-08:00",
    "2026-12-10T10:00:00-08:00",
    "2026-12-11T10:00:00-08:00",
    "2026-12-14T10:00:00-08:00",
    "2026-12-15T10:00:00-08:00",
  ];
  beforeAll(async () => {
    ctx = await open("2026-11-30T18:00:00Z", { rawMailer: mailer });
  });

  /** A booking (its own slot) whose confirmation is due now. */
  async function bookFor(tag: string) {
    ctx.app.clock.set("2026-11-30T18:00:00Z");
    waits.length = 0;
    const email = address(tag);
    const start = starts.shift();
    if (!start) throw new Error("No more test slots");
    const { id } = await staffBook(ctx, start, email);
    return { email, id, event: { locationId: LOCATION, bookingId: id, step: "confirmation-1" } };
  }

  it("throttled twice, then accepted: one email, sent, after two backoffs", async () => {
    const { email, id, event } = await bookFor("throttle-2");
    mailer.script(email, ["retryable", "retryable"]);
    expect(await runFollowUp(fast(), event)).toBe("sent");
    expect(mailer.calls(email)).toBe(3);
    const mails = await emailsTo(email);
    expect(mails).toHaveLength(1);
    expect((await byStep(ctx, id))["confirmation-1"]).toMatchObject({
      status: "sent",
      messageId: mails[0]?.messageId,
    });
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(150);
    expect(waits[0]).toBeLessThanOrEqual(250);
    expect(waits[1]).toBeGreaterThanOrEqual(600);
    expect(waits[1]).toBeLessThanOrEqual(1000);
  });

  it("always throttled: failed after 4 attempts, the reason shown to staff, no email", async () => {
    const { email, id, event } = await bookFor("throttle-always");
    mailer.script(email, [], "retryable");
    expect(await runFollowUp(fast(), event)).toBe("failed");
    expect(mailer.calls(email)).toBe(4);
    expect(waits).toHaveLength(3);
    expect(await emailsTo(email)).toEqual([]);
    const f = (await byStep(ctx, id))["confirmation-1"];
    expect(f?.status).toBe("failed");
    expect(f?.error).toBe(
      "The email service refused it: Throttling: Maximum sending rate exceeded.",
    );
    expect(f?.messageId).toBeUndefined();
    // Failed is final: a redelivery does not try again.
    ctx.app.clock.set("2026-11-30T19:00:00Z");
    expect(await runFollowUp(fast(), event)).toBe("nothing-to-do");
    expect(mailer.calls(email)).toBe(4);
  });

  it("an unknown outcome (timeout after the request left) is failed and never retried", async () => {
    const { email, id, event } = await bookFor("unknown");
    mailer.script(email, ["unknown"]);
    expect(await runFollowUp(fast(), event)).toBe("failed");
    expect(mailer.calls(email)).toBe(1);
    expect(waits).toEqual([]);
    const f = (await byStep(ctx, id))["confirmation-1"];
    expect(f?.status).toBe("failed");
    expect(f?.error).toMatch(/did not answer \(TimeoutError\).*may have been delivered/);

    ctx.app.clock.set("2026-12-01T18:00:00Z");
    expect(await runFollowUp(fast(), event)).toBe("nothing-to-do");
    expect(mailer.calls(email)).toBe(1);
    expect(await emailsTo(email)).toEqual([]);
    expect((await byStep(ctx, id))["confirmation-1"]?.status).toBe("failed");
  });

  it("a rejected message is failed at once, without retries", async () => {
    const { email, id, event } = await bookFor("rejected");
    mailer.script(email, ["rejected"]);
    expect(await runFollowUp(fast(), event)).toBe("failed");
    expect(mailer.calls(email)).toBe(1);
    expect((await byStep(ctx, id))["confirmation-1"]).toMatchObject({
      status: "failed",
      error: "The email service refused it: MessageRejected.",
    });
  });

  it("a follow-up stuck in sending for over 2 minutes (its function died) is failed by the next delivery, never sent", async () => {
    const { email, id, event } = await bookFor("stuck");
    // A delivery that claimed it and died (Lambda timeout) before recording anything.
    const claimed = await ctx.app.stores.followUps.claim(
      LOCATION,
      id,
      "confirmation-1",
      ctx.app.clock.now(),
    );
    expect(claimed?.status).toBe("sending");

    ctx.app.clock.set("2026-11-30T18:01:00Z");
    expect(await runFollowUp(fast(), event)).toBe("nothing-to-do");
    expect((await byStep(ctx, id))["confirmation-1"]?.status).toBe("sending");

    ctx.app.clock.set("2026-11-30T18:03:00Z");
    expect(await runFollowUp(fast(), event)).toBe("nothing-to-do");
    const f = (await byStep(ctx, id))["confirmation-1"];
    expect(f?.status).toBe("failed");
    expect(f?.error).toMatch(/interrupted.*may have been delivered/);

    ctx.app.clock.set("2026-12-01T18:00:00Z");
    expect(await runFollowUp(fast(), event)).toBe("nothing-to-do");
    expect((await byStep(ctx, id))["confirmation-1"]?.status).toBe("failed");
    expect(mailer.calls(email)).toBe(0);
    expect(await emailsTo(email)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------

describe("7. the last reminder to book stops once the patient has rebooked", () => {
  async function completedAndPlayed(ctx: Ctx, email: string) {
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    ctx.app.clock.set("2026-12-08T18:30:00Z");
    expect((await staffPost(ctx, `/api/staff/bookings/${id}/complete`)).status).toBe(200);
    await ctx.app.runFollowUps("2027-01-02T00:00:00Z");
    ctx.app.clock.set("2027-01-02T18:00:00Z");
    return id;
  }

  it("rebooked for after day 42: day-28 and day-42 are skipped as already rebooked", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("rebooked-later");
    const id = await completedAndPlayed(ctx, email);
    await staffBook(ctx, "2027-01-22T10:00:00-08:00", email);
    await ctx.app.runFollowUps("2027-01-20T00:00:00Z");
    const f = await byStep(ctx, id);
    expect(f["day-28"]).toMatchObject({ status: "skipped", error: "Already rebooked." });
    expect(f["day-42"]).toMatchObject({ status: "skipped", error: "Already rebooked." });
    expect(await subjects(email)).not.toContain("A reminder to book your next session");
    expect(await subjects(email)).not.toContain("When you can book your next session");
  });

  it("rebooked and already attended before day 42: the new session's timeline supersedes day-42", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("rebooked-attended");
    const id = await completedAndPlayed(ctx, email);
    const next = await staffBook(ctx, "2027-01-12T10:00:00-08:00", email);
    await ctx.app.runFollowUps("2027-01-20T00:00:00Z");
    expect(await statusOf(ctx, next.id)).toBe("completed");
    expect((await byStep(ctx, id))["day-42"]).toMatchObject({ status: "superseded" });
    expect(await subjects(email)).not.toContain("A reminder to book your next session");
  });
});

describe("a failed read gives the follow-up back", () => {
  it("a catalog read that throws releases the claim; the next delivery sends it once", async () => {
    const ctx = await open("2026-11-30T18:00:00Z");
    const email = address("released");
    const { id } = await staffBook(ctx, "2026-12-08T10:00:00-08:00", email);
    const event = { locationId: LOCATION, bookingId: id, step: "confirmation-1" };
    const failing = {
      ...ctx.app.followUps,
      bookings: {
        ...ctx.app.followUps.bookings,
        catalogs: {
          catalog: async () => {
            throw Object.assign(new Error("throttled"), { name: "ThrottlingException" });
          },
        },
      },
    };
    await expect(runFollowUp(failing, event)).rejects.toThrow("throttled");
    expect((await byStep(ctx, id))["confirmation-1"]?.status).toBe("scheduled");
    expect(await runFollowUp(ctx.app.followUps, event)).toBe("sent");
    expect(await emailsTo(email)).toHaveLength(1);
  });
});
