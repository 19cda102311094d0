import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookingBody, emailsTo, startTestApp, type TestApp } from "../support/test-app";
import { type Browser, launch, PHONE, screenshots, seriousA11yViolations } from "./browser";

/**
 * Every kind of email the system sends, as its bytes left for SES, opened in
 * Chromium at 375 px: no horizontal scrolling, the clinic's header and footer,
 * its actions as buttons, no serious accessibility violation; screenshots of
 * each at phone and desktop width under tests/e2e/screenshots/email-*.
 */
let app: TestApp;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
  browser = await launch();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const mia = { name: "Mia Longname-Featherstonehaugh", email: "mia.layout@example.com" };
const ben = { name: "Ben Layout", email: "ben.layout@example.com" };
const cy = { name: "Cy Layout", email: "cy.layout@example.com" };
const dee = { name: "Dee Layout", email: "dee.layout@example.com" };

interface Email {
  subject: string;
  html: string;
}
let mails: Email[] = [];

async function book(start: string, patient = mia) {
  const res = await app.request("/api/bookings", {
    method: "POST",
    json: bookingBody({ start, patient }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const body = (await res.json()) as { booking: { id: string }; manageUrl: string };
  return { id: body.booking.id, token: new URL(body.manageUrl).searchParams.get("token") ?? "" };
}

const staff = async () => ({
  authorization: `Bearer ${await app.staffToken("receptionist")}`,
});

/** Plays every kind of email; returns them as SES holds them, in the order sent. */
async function everyKindOfEmail(): Promise<Email[]> {
  const now = () => app.clock.now().toISOString();
  // Confirmation, then "moved".
  const a = await book("2026-12-08T13:00:00-08:00");
  await app.runFollowUps(now());
  const moved = await app.request(`/api/bookings/${a.id}/reschedule`, {
    method: "POST",
    json: { start: "2026-12-09T13:00:00-08:00" },
    headers: { authorization: `Bearer ${a.token}` },
  });
  expect(moved.status).toBe(200);
  await app.runFollowUps(now());
  // An online booking too soon after the first: refused, and the patient is told why.
  const refused = await app.request("/api/bookings", {
    method: "POST",
    json: bookingBody({ start: "2026-12-16T10:00:00-08:00", patient: mia }),
  });
  expect(refused.status).toBe(409);
  // Cancelled by the patient, and by the clinic.
  const b = await book("2026-12-10T10:00:00-08:00", ben);
  await app.runFollowUps(now());
  expect(
    (
      await app.request(`/api/bookings/${b.id}/cancel`, {
        method: "POST",
        headers: { authorization: `Bearer ${b.token}` },
      })
    ).status,
  ).toBe(200);
  const c = await book("2026-12-11T10:00:00-08:00", cy);
  await app.runFollowUps(now());
  const clinicCancel = await app.request(`/api/staff/bookings/${c.id}/cancel`, {
    method: "POST",
    headers: await staff(),
    json: { cancelledBy: "clinic" },
  });
  expect(clinicCancel.status).toBe(200);
  await app.runFollowUps(now());
  // A no-show.
  const d = await book("2026-12-07T10:00:00-08:00", dee);
  await app.runFollowUps("2026-12-07T18:30:00Z"); // its confirmation and reminder
  app.clock.set("2026-12-07T18:30:00Z"); // 10:30 local: the session has started
  expect(
    (
      await app.request(`/api/staff/bookings/${d.id}/no-show`, {
        method: "POST",
        headers: await staff(),
      })
    ).status,
  ).toBe(200);
  await app.runFollowUps(now());
  // The reminder, then the session and its whole aftercare journey.
  await app.runFollowUps("2026-12-08T21:30:00Z");
  app.clock.set("2026-12-09T22:00:00Z");
  expect(
    (
      await app.request(`/api/staff/bookings/${a.id}/complete`, {
        method: "POST",
        headers: await staff(),
      })
    ).status,
  ).toBe(200);
  await app.runFollowUps("2027-02-01T00:00:00Z");
  const held = (await Promise.all([mia, ben, cy, dee].map((p) => emailsTo(p.email)))).flat();
  return held
    .sort((x, y) => x.at - y.at)
    .map((m) => ({ subject: m.subject, html: m.body.html ?? "" }));
}

interface Layout {
  scrollWidth: number;
  header: string;
  footer: string;
  buttons: { text: string; width: number; height: number }[];
  links: string[];
}

/** What the test reads of an email in the page (a string: the tests have no DOM types). */
const LAYOUT = `({
  scrollWidth: document.documentElement.scrollWidth,
  header: document.querySelector("[role=banner]")?.textContent ?? "",
  footer: document.querySelector("[role=contentinfo]")?.textContent ?? "",
  buttons: [...document.querySelectorAll("a.button")].map((a) => ({
    text: a.textContent ?? "",
    width: a.getBoundingClientRect().width,
    height: a.getBoundingClientRect().height,
  })),
  links: [...document.querySelectorAll("a")].map((a) => a.textContent ?? ""),
})`;

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 48);

describe("every email at 375 px in Chromium", () => {
  it("fits without horizontal scrolling, with the clinic's header and footer and its actions as buttons", async () => {
    mails = await everyKindOfEmail();
    const subjects = mails.map((m) => m.subject);
    // Every kind the system sends (the closing note lists them with when they go).
    expect(new Set(subjects)).toEqual(
      new Set([
        "Your appointment at Face of Jules is confirmed",
        "Your appointment at Face of Jules has been moved",
        "About your booking request at Face of Jules",
        "Your appointment at Face of Jules is cancelled",
        "Face of Jules has had to cancel your appointment",
        "We missed you at Face of Jules",
        "See you tomorrow at 1:00 PM",
        "See you tomorrow at 10:00 AM",
        "Your aftercare plan from Face of Jules",
        "Day 2: gentle cleansing and mineral SPF",
        "Day 3: flaking is normal",
        "One week on: easing back into your routine",
        "Week 2: vitamin C can come back",
        "Weeks 3 to 4: exfoliants and retinoids, slowly",
        "When you can book your next session",
        "A reminder to book your next session",
      ]),
    );
    const { page } = browser;
    const seen = new Set<string>();
    for (const mail of mails) {
      const { subject } = mail;
      if (seen.has(subject)) continue;
      seen.add(subject);
      await page.setViewportSize(PHONE);
      await page.setContent(mail.html, { waitUntil: "load" });
      const layout = (await page.evaluate(LAYOUT)) as Layout;
      expect(layout.scrollWidth, subject).toBeLessThanOrEqual(PHONE.width);
      expect(layout.header, subject).toBe("Face of Jules");
      expect(layout.footer, subject).toContain("+1 323 555 0100");
      expect(layout.buttons.length, subject).toBeGreaterThan(0);
      for (const b of layout.buttons) {
        // A thumb-sized target that fits the screen.
        expect(b.height, `${subject}: ${b.text}`).toBeGreaterThanOrEqual(44);
        expect(b.width, `${subject}: ${b.text}`).toBeLessThanOrEqual(PHONE.width - 32);
      }
      // No bare URL as the text of a link in the HTML: people tap words, not addresses.
      for (const text of layout.links) expect(text, subject).not.toMatch(/^https?:\/\//);
      expect(await seriousA11yViolations(page), subject).toEqual([]);
      await screenshots(page, `email-${String(seen.size).padStart(2, "0")}-${slug(subject)}`);
    }
    expect(seen.size).toBe(16);
  }, 120_000);

  it("opens the plan email with what to do tonight and tomorrow, on the first screen", async () => {
    const plan = mails.find((x) => x.subject === "Your aftercare plan from Face of Jules");
    expect(plan, "the plan email was sent").toBeDefined();
    const { page } = browser;
    await page.setViewportSize(PHONE);
    await page.setContent(plan?.html ?? "", { waitUntil: "load" });
    const heading = page.getByRole("heading", { name: "Tonight and tomorrow: the first 24 hours" });
    const box = await heading.boundingBox();
    expect(box?.y ?? Number.POSITIVE_INFINITY).toBeLessThan(PHONE.height / 2);
    const avoid = await page
      .getByRole("heading", { name: "What to avoid for the first 24 hours" })
      .boundingBox();
    expect(avoid?.y ?? Number.POSITIVE_INFINITY).toBeLessThan(PHONE.height * 1.5);
  });
});
