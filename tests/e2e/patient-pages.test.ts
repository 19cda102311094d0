import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { patientIdFor } from "../../shared/services/bookings";
import { rebookUrl, unsubscribeUrls } from "../../shared/services/links";
import { emailsTo, startTestApp, type TestApp } from "../support/test-app";
import { type Browser, checkPage, launch } from "./browser";

/**
 * A patient on a phone (375 px), in Debian's Chromium against the real app and local
 * services: book, get the .ics, reschedule, cancel; a refused booking; a rebooking link.
 */
describe("patient pages in a browser", () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    // Monday 30 November 2026, 10:00 in Los Angeles.
    app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** Screenshots at both widths and an accessibility check of the page as shown. */
  async function check(name: string) {
    expect(await checkPage(browser.page, name), name).toEqual([]);
  }

  it("books a session, offers the .ics, reschedules and cancels", {
    timeout: 120_000,
  }, async () => {
    const { page } = browser;
    const email = "maya.chen@example.com";
    await page.goto(`${app.baseUrl}/`);
    expect(new URL(page.url()).pathname).toBe("/book");
    await check("patient-01-treatments");

    await page.getByRole("link", { name: "Microneedling, face", exact: true }).click();
    await expect.poll(() => page.locator("h1").textContent()).toContain("choose a day");
    // Late November has nothing left (12 h notice): the calendar opens on December.
    expect(await page.locator("table.cal caption").textContent()).toBe("December 2026");
    expect(await page.locator("table.cal a").count()).toBeGreaterThan(15);
    await check("patient-02-calendar");

    await page.locator("table.cal a", { hasText: /^8,/ }).click();
    expect(await page.locator("h1").textContent()).toContain("Tuesday 8 December 2026");
    expect(await page.locator("#start-hint").textContent()).toContain("Pacific Time");
    await page.getByLabel("10:00 AM", { exact: true }).check();
    await page.getByLabel("Full name").fill("Maya Chen");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Phone (optional)").fill("+1 310 555 0100");
    await page.getByRole("checkbox").check();
    await check("patient-03-day-and-details");
    await page.getByRole("button", { name: "Book this time" }).click();

    await page.waitForURL(/\/manage\/[0-9A-Z]{12}\?token=.*done=booked/);
    // A reference the patient can read out over the phone.
    expect(await page.locator("dl.facts").textContent()).toMatch(
      /Reference[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/,
    );
    expect(await page.getByRole("status").textContent()).toContain("You're booked");
    expect(await page.locator("dl.facts").textContent()).toContain(
      "Tuesday 8 December 2026, 10:00 AM to 11:00 AM (Pacific Time)",
    );
    await check("patient-04-confirmation");
    const bookingId = new URL(page.url()).pathname.split("/")[2] ?? "";

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Add to my calendar (.ics)" }).click(),
    ]);
    const ics = await readFile((await download.path()) ?? "", "utf8");
    expect(ics).toContain("BEGIN:VCALENDAR");
    expect(ics).toContain("DTSTART:20261208T180000Z");
    expect(download.suggestedFilename()).toBe("appointment.ics");

    // Reschedule through the same calendar.
    await page.getByRole("link", { name: "Reschedule" }).click();
    await check("patient-05-reschedule-calendar");
    await page.locator("table.cal a", { hasText: /^10,/ }).click();
    await page.getByLabel("2:00 PM", { exact: true }).check();
    await check("patient-06-reschedule-time");
    await page.getByRole("button", { name: "Move my session here" }).click();
    await page.waitForURL(/done=moved/);
    expect(await page.locator("dl.facts").textContent()).toContain(
      "Thursday 10 December 2026, 2:00 PM",
    );

    await page.getByRole("link", { name: "Cancel session" }).click();
    expect(await page.locator("h1").textContent()).toBe("Cancel your session?");
    await check("patient-07-cancel");
    await page.getByRole("button", { name: "Yes, cancel my session" }).click();
    await page.waitForURL(/done=cancelled/);
    expect(await page.getByRole("status").textContent()).toContain("cancelled");
    await check("patient-08-cancelled");

    const stored = await app.stores.reads.booking(app.deps.bookings.locationId, bookingId);
    expect(stored?.status).toBe("cancelled");
    expect(stored?.start).toBe("2026-12-10T22:00:00.000Z");
    expect(stored?.patient).toEqual({ name: "Maya Chen", email, phone: "+1 310 555 0100" });
    expect(stored?.consent.aftercareEmails).toBe(true);
  });

  it("shows a field error and keeps what was typed", async () => {
    const { page } = browser;
    await page.goto(`${app.baseUrl}/book/microneedling-face/2026-12-09`);
    await page.getByLabel("11:00 AM", { exact: true }).check();
    await page.getByLabel("Full name").fill("Lee Park");
    await page.getByLabel("Email", { exact: true }).fill("not-an-email");
    await page.getByRole("button", { name: "Book this time" }).click();
    expect(await page.locator("#email-error").textContent()).toBe("Must be an email address");
    expect(await page.getByLabel("Full name").inputValue()).toBe("Lee Park");
    expect(await page.getByLabel("11:00 AM", { exact: true }).isChecked()).toBe(true);
    await check("patient-09-field-error");
  });

  it("refuses a session too soon after another without revealing it, and explains by email", async () => {
    const { page } = browser;
    const email = "sam.ortiz@example.com";
    const first = await app.request("/api/bookings", {
      method: "POST",
      json: {
        treatmentId: "microneedling-face",
        start: "2026-12-14T10:00:00-08:00",
        patient: { name: "Sam Ortiz", email },
        consent: { aftercareEmails: true },
      },
    });
    expect(first.status).toBe(201);

    await page.goto(`${app.baseUrl}/book/microneedling-face/2026-12-28`);
    await page.getByLabel("9:00 AM", { exact: true }).check();
    await page.getByLabel("Full name").fill("Sam Ortiz");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByRole("button", { name: "Book this time" }).click();
    expect(await page.locator("h1").textContent()).toBe("This session can't be booked online yet");
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain("an email");
    // Nothing about the other session: no date, no month.
    expect(text).not.toMatch(/December|January|\b14\b|2026/);
    await check("patient-10-refused");
    await expect
      .poll(async () => (await emailsTo(email)).map((e) => e.subject).join(" | "))
      .toMatch(/book/i);
  });

  it("greys out the days before the earliest allowed date for a rebooking link", async () => {
    const { page } = browser;
    const email = "ivy.nguyen@example.com";
    const res = await app.request("/api/bookings", {
      method: "POST",
      json: {
        treatmentId: "microneedling-face",
        start: "2026-12-02T10:00:00-08:00",
        patient: { name: "Ivy Nguyen", email },
        consent: { aftercareEmails: true },
      },
    });
    expect(res.status).toBe(201);
    const link = new URL(
      rebookUrl(app.deps, patientIdFor(app.deps.bookings.locationId, email), app.clock.now()),
    );
    await page.goto(`${app.baseUrl}${link.pathname}${link.search}`);
    expect(await page.locator("h1").textContent()).toBe("Book your next session");
    await page.getByRole("link", { name: "Microneedling, face", exact: true }).click();
    // 28 days after 2 December is 30 December.
    expect(await page.locator("#earliest").textContent()).toContain(
      "your next microneedling session can be from 30 December",
    );
    const greyed = await page.locator("table.cal span.early").count();
    expect(greyed).toBeGreaterThan(10);
    expect(await page.locator("table.cal a", { hasText: /^29,/ }).count()).toBe(0);
    expect(await page.locator("table.cal a", { hasText: /^30,/ }).count()).toBe(1);
    await check("patient-11-rebook-calendar");
  });

  it("unsubscribes from the aftercare emails", async () => {
    const { page } = browser;
    const email = "ivy.nguyen@example.com";
    const patientId = patientIdFor(app.deps.bookings.locationId, email);
    const link = new URL(unsubscribeUrls(app.deps, patientId, app.clock.now()).page);
    await page.goto(`${app.baseUrl}${link.pathname}${link.search}`);
    expect(await page.locator("h1").textContent()).toBe("Stop aftercare emails?");
    await check("patient-12-unsubscribe");
    await page.getByRole("button", { name: "Stop aftercare emails" }).click();
    expect(await page.locator("h1").textContent()).toBe("You are unsubscribed");
    await check("patient-13-unsubscribed");
    const record = await app.stores.reads.patient(app.deps.bookings.locationId, patientId);
    expect(record?.aftercareOptOut).toBe(true);
  });

  it("books with JavaScript turned off", async () => {
    const noJs = await launch({ javaScriptEnabled: false });
    try {
      const { page } = noJs;
      await page.goto(`${app.baseUrl}/book/led-facial`);
      await page.locator("table.cal a").first().click();
      await page.locator("input[name=start]").first().check();
      await page.getByLabel("Full name").fill("Noa Levi");
      await page.getByLabel("Email", { exact: true }).fill("noa.levi@example.com");
      await page.getByRole("button", { name: "Book this time" }).click();
      await page.waitForURL(/done=booked/);
      expect(await page.getByRole("status").textContent()).toContain("You're booked");
    } finally {
      await noJs.close();
    }
  });
});
