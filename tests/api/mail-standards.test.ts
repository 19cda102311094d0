import ICAL from "ical.js";
import { type ParsedMail, simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_MAIL_FROM, localSesClient } from "../../local/compose";
import { demoClinic } from "../../local/demo-clinic";
import { SesRawMailer } from "../../shared/adapters/mail/ses-raw-mailer";
import { PROCEDURE_NAME } from "../../shared/aftercare/plan-schema";
import type { ClinicContact } from "../../shared/domain/catalog";
import { bookingBody, startTestApp, type TestApp } from "../support/test-app";

/**
 * What other software reads, other software checks: every kind of email the
 * patient gets (book → move → reminder → aftercare), as its raw bytes leave for
 * SES, parsed by mailparser, and every calendar file parsed by ical.js.
 */
let app: TestApp;
const sent: { to: string; raw: Buffer }[] = [];
const ses = localSesClient(inject("sesEndpoint"), { maxAttempts: 1 });
beforeAll(async () => {
  const real = new SesRawMailer(ses);
  app = await startTestApp({
    now: "2026-11-30T18:00:00Z",
    rawMailer: {
      sendRaw: async (m) => {
        sent.push({ to: m.to, raw: Buffer.from(m.raw) });
        return real.sendRaw(m);
      },
    },
  });
});
afterAll(async () => {
  ses.destroy();
  await app.close();
});

const patient = { name: "Mia Standards", email: "mia.standards@example.com" };
const CLINIC_FROM = /<(.+)>/.exec(DEMO_MAIL_FROM)?.[1] ?? "";
const CONTACT = demoClinic.clinic.contact as ClinicContact;
let seen = 0;

/** The emails sent since the last call, each checked for what every email must be. */
async function newEmails(): Promise<ParsedMail[]> {
  const fresh = sent.slice(seen);
  seen = sent.length;
  return Promise.all(fresh.map((m) => checkedEmail(m.raw)));
}

async function checkedEmail(raw: Buffer): Promise<ParsedMail> {
  const text = raw.toString("latin1");
  // CRLF only: no LF without its CR, no CR without its LF.
  expect(text).not.toMatch(/(?<!\r)\n|\r(?!\n)/);
  const mail = await simpleParser(raw);
  expect(mail.from?.value).toEqual([{ name: "Face of Jules", address: CLINIC_FROM }]);
  expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).toEqual([
    patient.email,
  ]);
  expect(mail.subject ?? "").not.toBe("");
  expect(mail.subject).not.toMatch(PROCEDURE_NAME);
  expect(mail.messageId).toMatch(/^<.+@.+>$/);
  const header = (key: string) => mail.headerLines.find((h) => h.key === key)?.line ?? "";
  expect(header("mime-version")).toBe("MIME-Version: 1.0");
  expect(header("list-unsubscribe")).toMatch(
    /^List-Unsubscribe: <https:\/\/clinic\.test\/api\/unsubscribe\?token=[^>\s]+>$/,
  );
  expect(header("list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
  expect(mail.text ?? "").toContain(`Hello ${patient.name},`);
  // Every email says how to reach the clinic, and a reply reaches its front desk.
  expect(mail.replyTo?.value).toEqual([{ name: "", address: CONTACT.email }]);
  for (const line of [CONTACT.address, `Phone: ${CONTACT.phone}`, `Email: ${CONTACT.email}`]) {
    expect(mail.text ?? "").toContain(line);
  }
  expect(mail.html || "").toContain(`href="tel:+13235550100"`);
  expect(mail.html || "").toContain(`href="mailto:${CONTACT.email}"`);
  expect(preheaderOf(mail.html || "")).not.toMatch(PROCEDURE_NAME);
  return mail;
}

/** The hidden preheader, which must be the body's first text. */
function preheaderOf(html: string): string {
  const match = /<body[^>]*>\s*<div style="([^"]*)">([^<]*)<\/div>/.exec(html);
  expect(match, "the body opens with the preheader").not.toBeNull();
  const [, style = "", content = ""] = match ?? [];
  for (const rule of ["display:none", "max-height:0", "overflow:hidden"]) {
    expect(style).toContain(rule);
  }
  const text = content
    .replace(/&#8204;|&nbsp;/g, "")
    .replace(/&amp;/g, "&")
    .trim();
  expect(text).not.toBe("");
  return text;
}

interface CalendarEvent {
  method: string;
  status: string;
  uid: string;
  sequence: number;
  start: string;
  organizer: string | null;
  location: string;
  organizerName: string | null;
  attendees: { value: string; cn: string | null }[];
}

function parseIcs(ics: string): CalendarEvent {
  expect(ics).not.toMatch(/(?<!\r)\n|\r(?!\n)/);
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const events = calendar.getAllSubcomponents("vevent");
  expect(events).toHaveLength(1);
  const event = events[0] as ICAL.Component;
  const organizer = event.getFirstProperty("organizer");
  return {
    method: String(calendar.getFirstPropertyValue("method")),
    status: String(event.getFirstPropertyValue("status")),
    uid: String(event.getFirstPropertyValue("uid")),
    sequence: Number(event.getFirstPropertyValue("sequence")),
    start: (event.getFirstPropertyValue("dtstart") as ICAL.Time).toJSDate().toISOString(),
    organizer: organizer ? String(organizer.getFirstValue()) : null,
    location: String(event.getFirstPropertyValue("location") ?? ""),
    organizerName: organizer
      ? ((organizer.getParameter("cn") as string | undefined) ?? null)
      : null,
    attendees: event.getAllProperties("attendee").map((p) => ({
      value: String(p.getFirstValue()),
      cn: (p.getParameter("cn") as string | undefined) ?? null,
    })),
  };
}

/** The one attachment of a confirmation (REQUEST) or a cancellation (CANCEL), from the clinic to the patient. */
function invitation(mail: ParsedMail, method: "REQUEST" | "CANCEL" = "REQUEST"): CalendarEvent {
  expect(mail.attachments).toHaveLength(1);
  const [file] = mail.attachments;
  expect(file?.filename).toBe("appointment.ics");
  expect(file?.contentType).toBe("text/calendar");
  expect(file?.headers.get("content-type")).toMatchObject({ params: { method } });
  const event = parseIcs(file?.content.toString("utf8") ?? "");
  expect(event.method).toBe(method);
  expect(event.status).toBe(method === "CANCEL" ? "CANCELLED" : "CONFIRMED");
  expect(event.organizer).toBe(`mailto:${CLINIC_FROM}`);
  expect(event.organizerName).toBe("Face of Jules");
  // A calendar app can route the patient to the clinic's door.
  expect(event.location).toBe(`Face of Jules, ${CONTACT.address}`);
  expect(event.attendees).toEqual([{ value: `mailto:${patient.email}`, cn: patient.name }]);
  return event;
}

async function book(start: string, who = patient) {
  const res = await app.request("/api/bookings", {
    method: "POST",
    json: bookingBody({ start, patient: who }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const body = (await res.json()) as { booking: { id: string }; manageUrl: string };
  const token = new URL(body.manageUrl).searchParams.get("token") ?? "";
  return { id: body.booking.id, token };
}

const download = (id: string, token: string) =>
  app.request(`/manage/${id}/calendar.ics?token=${encodeURIComponent(token)}`);

describe("emails and calendar files, read by mailparser and ical.js", () => {
  let booking = { id: "", token: "" };
  let first: CalendarEvent;
  let unsubscribeUrl = "";

  it("book: the confirmation carries a REQUEST from the clinic to the patient", async () => {
    booking = await book("2026-12-08T13:00:00-08:00");
    await app.runFollowUps("2026-11-30T18:00:00Z");
    const [confirmation, ...others] = await newEmails();
    expect(others).toEqual([]);
    expect(confirmation?.subject).toBe("Your appointment at Face of Jules is confirmed");
    expect(preheaderOf(confirmation?.html || "")).toBe(
      "Your appointment details: Tuesday 8 December 2026, 1:00 PM to 2:00 PM (Pacific Time).",
    );
    // The body, unlike the preview, names the treatment.
    expect(confirmation?.text).toMatch(PROCEDURE_NAME);
    first = invitation(confirmation as ParsedMail);
    expect(first.uid).toBe(`${booking.id}@clinic.test`);
    expect(first.start).toBe("2026-12-08T21:00:00.000Z");
    unsubscribeUrl = /<([^>]+)>/.exec(
      confirmation?.headerLines.find((h) => h.key === "list-unsubscribe")?.line ?? "",
    )?.[1] as string;
  });

  it("move: the same event (UID) with a higher SEQUENCE", async () => {
    const res = await app.request(`/api/bookings/${booking.id}/reschedule`, {
      method: "POST",
      json: { start: "2026-12-09T10:00:00-08:00" },
      headers: { authorization: `Bearer ${booking.token}` },
    });
    expect(res.status, await res.text()).toBe(200);
    await app.runFollowUps("2026-11-30T18:00:00Z");
    const [moved, ...others] = await newEmails();
    expect(others).toEqual([]);
    expect(moved?.subject).toBe("Your appointment at Face of Jules has been moved");
    expect(preheaderOf(moved?.html || "")).toMatch(/^Your new appointment details: Wednesday 9/);
    const event = invitation(moved as ParsedMail);
    expect(event.uid).toBe(first.uid);
    expect(event.sequence).toBeGreaterThan(first.sequence);
    expect(event.start).toBe("2026-12-09T18:00:00.000Z");

    // The manage page's download is the same event, published rather than sent to anyone.
    const file = await download(booking.id, booking.token);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("text/calendar; charset=utf-8; method=PUBLISH");
    const published = parseIcs(await file.text());
    expect(published).toMatchObject({ method: "PUBLISH", uid: first.uid, attendees: [] });
    expect(published.sequence).toBe(event.sequence);
  });

  it("cancel: no calendar file for a cancelled booking", async () => {
    const other = { name: "Noa Standards", email: "noa.standards@example.com" };
    const held = await book("2026-12-21T10:00:00-08:00", other);
    expect((await download(held.id, held.token)).status).toBe(200);
    const res = await app.request(`/api/bookings/${held.id}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${held.token}` },
    });
    expect(res.status).toBe(200);
    expect((await download(held.id, held.token)).status).toBe(404);
  });

  it("the List-Unsubscribe URL opened in a browser shows the page and changes nothing", async () => {
    expect(unsubscribeUrl).toMatch(/^https:\/\/clinic\.test\/api\/unsubscribe\?token=/);
    const url = new URL(unsubscribeUrl);
    const page = await app.request(`${url.pathname}${url.search}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain("Stop aftercare emails?");
    expect(html).toMatch(/<form method="post" action="\/unsubscribe\?token=[^"]+"/);
    const expired = await app.request("/api/unsubscribe?token=nope");
    expect(expired.status).toBe(404);
    expect(expired.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("the reminder and every aftercare email keep the same rules", async () => {
    await app.runFollowUps("2026-12-08T22:00:00Z");
    const [reminder, ...others] = await newEmails();
    expect(others).toEqual([]);
    expect(reminder?.subject).toMatch(/^See you tomorrow at 10:00/);
    expect(reminder?.attachments).toEqual([]);
    expect(preheaderOf(reminder?.html || "")).toMatch(/^Your appointment details: Wednesday 9/);

    app.clock.set("2026-12-09T18:30:00Z");
    const auth = { authorization: `Bearer ${await app.staffToken("receptionist")}` };
    const done = await app.request(`/api/staff/bookings/${booking.id}/complete`, {
      method: "POST",
      headers: auth,
    });
    expect(done.status).toBe(200);
    const counts = await app.runFollowUps("2027-02-15T00:00:00Z");
    expect(counts).toMatchObject({ failed: 0 });
    const aftercare = await newEmails();
    expect(aftercare.length).toBeGreaterThanOrEqual(8);
    for (const mail of aftercare) {
      expect(mail.attachments).toEqual([]);
      expect(preheaderOf(mail.html || "")).toBe(
        "A message from Face of Jules about your session on Wednesday 9 December 2026.",
      );
    }
  });

  it("the one-click POST still unsubscribes, as before", async () => {
    const url = new URL(unsubscribeUrl);
    const res = await app.request(`${url.pathname}${url.search}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ unsubscribed: true });
  });

  it("cancel by the patient, then by the clinic: each a CANCEL of its event (same UID, higher SEQUENCE) and a way to book again", async () => {
    // Mia, unsubscribed from aftercare just now, still hears about her appointments.
    const ownCancel = await book("2027-03-02T10:00:00-08:00");
    await app.runFollowUps(app.clock.now().toISOString());
    const [confirmed] = await newEmails();
    const booked = invitation(confirmed as ParsedMail);
    const res = await app.request(`/api/bookings/${ownCancel.id}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${ownCancel.token}` },
    });
    expect(res.status).toBe(200);
    await app.runFollowUps(app.clock.now().toISOString());
    const [cancelled, ...others] = await newEmails();
    expect(others).toEqual([]);
    expect(cancelled?.subject).toBe("Your appointment at Face of Jules is cancelled");
    expect(preheaderOf(cancelled?.html || "")).toBe(
      "Cancelled: Tuesday 2 March 2027, 10:00 AM to 11:00 AM (Pacific Time).",
    );
    const event = invitation(cancelled as ParsedMail, "CANCEL");
    expect(event.uid).toBe(booked.uid);
    expect(event.sequence).toBeGreaterThan(booked.sequence);
    expect(event.start).toBe("2027-03-02T18:00:00.000Z");
    expect(cancelled?.text).toContain("is cancelled, as asked");
    expect(cancelled?.text).toMatch(/To book another time: https:\/\/clinic\.test\/book\?rebook=/);
    expect(cancelled?.text).not.toContain("To reschedule or cancel");

    const auth = { authorization: `Bearer ${await app.staffToken("receptionist")}` };
    const staffBooked = await app.request("/api/staff/bookings", {
      method: "POST",
      headers: auth,
      json: bookingBody({ start: "2027-03-09T10:00:00-08:00", patient }),
    });
    expect(staffBooked.status).toBe(201);
    const { booking: held } = (await staffBooked.json()) as { booking: { id: string } };
    await app.runFollowUps(app.clock.now().toISOString());
    const [second] = await newEmails();
    const heldEvent = invitation(second as ParsedMail);
    const cancel = await app.request(`/api/staff/bookings/${held.id}/cancel`, {
      method: "POST",
      headers: auth,
      json: { cancelledBy: "clinic" },
    });
    expect(cancel.status).toBe(200);
    await app.runFollowUps(app.clock.now().toISOString());
    const [byClinic] = await newEmails();
    expect(byClinic?.subject).toBe("Face of Jules has had to cancel your appointment");
    expect(byClinic?.text).toContain("has had to cancel your appointment");
    expect(byClinic?.text).toMatch(/To choose a new time: https:\/\/clinic\.test\/book\?rebook=/);
    const cancelledEvent = invitation(byClinic as ParsedMail, "CANCEL");
    expect(cancelledEvent.uid).toBe(heldEvent.uid);
    expect(cancelledEvent.sequence).toBeGreaterThan(heldEvent.sequence);
  });
});
