import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STAFF_COOKIE } from "../../functions/api/context";
import { TEST_STAFF } from "../support/staff-users";
import { startTestApp, type TestApp } from "../support/test-app";
import { type Browser, checkPage, launch } from "./browser";

const desk = TEST_STAFF[0];
const boss = TEST_STAFF[1];

/**
 * A receptionist at the front desk, in Debian's Chromium against the real app,
 * DynamoDB Local and cognito-local: sign in, hit the spacing rule, override it
 * with a reason, complete a session and see its follow-ups, the sent emails, the
 * patient's page, the overrides log, and a new version of the aftercare plan.
 */
describe("receptionist console in a browser", () => {
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

  async function check(name: string) {
    expect(await checkPage(browser.page, name), name).toEqual([]);
  }

  async function book(start: string, name: string, email: string) {
    const res = await app.request("/api/bookings", {
      method: "POST",
      json: {
        treatmentId: "microneedling-face",
        start,
        practitionerId: "jules",
        patient: { name, email },
        consent: { aftercareEmails: true },
      },
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { booking: { id: string } }).booking.id;
  }

  it("signs in, overrides the spacing rule with a reason, completes a session and sees its follow-ups", {
    timeout: 180_000,
  }, async () => {
    const { page } = browser;
    const email = "rosa.diaz@example.com";
    const firstId = await book("2026-12-02T10:00:00-08:00", "Rosa Diaz", email);

    await page.goto(`${app.baseUrl}/staff`);
    expect(page.url()).toContain("/staff/sign-in?next=%2Fstaff");
    await check("staff-01-sign-in");
    await page.getByLabel("Email").fill(desk.email);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await page.getByRole("alert").textContent()).toContain("incorrect");
    await page.getByLabel("Password").fill(desk.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${app.baseUrl}/staff`);

    await page.goto(`${app.baseUrl}/staff?date=2026-12-02`);
    expect(await page.locator("h1").textContent()).toBe("Wednesday 2 December 2026");
    const row = page.getByRole("row", { name: /Rosa Diaz/ });
    expect(await row.textContent()).toContain("10:00 AM–11:00 AM");
    expect(await row.textContent()).toContain("confirmed");
    await check("staff-02-schedule");

    // Book Rosa two weeks later: the spacing rule refuses, the console shows why.
    await page.getByRole("link", { name: "Book", exact: true }).click();
    await page.getByLabel("Treatment").selectOption("microneedling-face");
    await page.getByRole("button", { name: "Show free days" }).click();
    await page.locator("table.cal a", { hasText: /^16,/ }).click();
    await page.getByLabel("11:00 AM", { exact: true }).check();
    await page.getByLabel("Full name").fill("Rosa Diaz");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await check("staff-03-book");
    await page.getByRole("button", { name: "Book", exact: true }).click();
    const box = page.locator("section.notice.warn");
    expect(await box.locator("h2").textContent()).toBe("The spacing rule refuses this booking");
    expect(await box.textContent()).toContain("Wednesday 2 December 2026");
    expect(await page.locator("#earliest-allowed").textContent()).toBe(
      "Wednesday 30 December 2026",
    );
    await check("staff-04-override-box");

    // A reason that is too short is refused; a real one books and is shown.
    await page.getByLabel(/Override: the reason/).fill("ok");
    await page.getByRole("button", { name: "Book with override" }).click();
    // The browser holds the form back (minlength); the server checks it again regardless.
    expect(await page.locator("#overrideReason:invalid").count()).toBe(1);
    expect(page.url()).not.toContain("/staff/bookings/");
    const reason = "Travelling all January; approved by Jules";
    await page.getByLabel(/Override: the reason/).fill(reason);
    await page.getByRole("button", { name: "Book with override" }).click();
    await page.waitForURL(/\/staff\/bookings\/[0-9A-Z]{12}\?done=booked-override/);
    expect(await page.locator("#override").textContent()).toContain(reason);
    expect(await page.locator("#override").textContent()).toContain(
      "earliest allowed Wednesday 30 December 2026",
    );
    await check("staff-05-overridden-booking");

    // The session day: mark the first session completed from the schedule.
    app.clock.set("2026-12-02T19:30:00Z");
    await app.runFollowUps("2026-12-02T19:30:00Z");
    await page.goto(`${app.baseUrl}/staff?date=2026-12-02`);
    await page
      .getByRole("row", { name: /Rosa Diaz/ })
      .getByRole("button", { name: "Completed" })
      .click();
    await page.waitForURL(/done=completed/);
    expect(await page.getByRole("row", { name: /Rosa Diaz/ }).textContent()).toContain("completed");

    await page.getByRole("link", { name: "Rosa Diaz" }).click();
    expect(new URL(page.url()).pathname).toBe(`/staff/bookings/${firstId}`);
    const followUps = page.locator("table.list tbody tr");
    await expect.poll(() => followUps.count()).toBeGreaterThan(8);
    const statuses = await page.locator("table.list tbody .badge").allTextContents();
    expect(statuses.filter((s) => s === "scheduled").length).toBeGreaterThanOrEqual(8);
    expect(statuses).toContain("sent");
    await check("staff-06-completed-follow-ups");

    await page.getByRole("link", { name: "View sent email" }).first().click();
    expect(await page.locator("h1").textContent()).toContain("Your appointment at Face of Jules");
    const frame = page.frameLocator("iframe.preview");
    expect(await frame.locator("body").textContent()).toContain("Hello Rosa Diaz");
    await check("staff-07-sent-email");

    await page.getByRole("link", { name: "Patients" }).click();
    await page.getByLabel("Patient's email").fill(email);
    await page.getByRole("button", { name: "Find" }).click();
    expect(await page.locator("h1").textContent()).toBe("Rosa Diaz");
    expect(await page.locator("main").textContent()).toContain(reason);
    expect(await page.locator("section.cards").count()).toBe(2);
    await check("staff-08-patient");

    await page.getByRole("link", { name: "Overrides" }).click();
    expect(await page.locator("table.list tbody").textContent()).toContain(reason);
    await page.getByLabel("From").fill("2026-12-03");
    await page.getByRole("button", { name: "Show" }).click();
    expect(await page.getByRole("status").textContent()).toContain("0 overrides");
    await page.getByLabel("From").fill("2026-11-30");
    await page.getByRole("button", { name: "Show" }).click();
    expect(await page.getByRole("status").textContent()).toContain("1 override ");
    await check("staff-09-overrides");
  });

  it("reschedules, marks a no-show and cancels", { timeout: 120_000 }, async () => {
    const { page } = browser;
    app.clock.set("2026-11-30T18:00:00Z");
    const id = await book("2026-12-03T09:00:00-08:00", "Tom Reed", "tom.reed@example.com");
    await page.goto(`${app.baseUrl}/staff/bookings/${id}`);
    await page.getByRole("link", { name: "Reschedule" }).click();
    await page.locator("table.cal a", { hasText: /^4,/ }).click();
    await page.getByLabel("1:00 PM", { exact: true }).check();
    await check("staff-10-reschedule");
    await page.getByRole("button", { name: "Move here" }).click();
    await page.waitForURL(/done=moved/);
    expect(await page.locator("dl.facts").textContent()).toContain(
      "Friday 4 December 2026, 1:00 PM",
    );

    app.clock.set("2026-12-04T21:10:00Z");
    await page.reload();
    await page.getByRole("button", { name: "No-show" }).click();
    await page.waitForURL(/done=no-show/);
    expect(await page.locator("dl.facts .badge").textContent()).toBe("no-show");

    const other = await book("2026-12-21T09:00:00-08:00", "Tom Reed", "tom.reed@example.com");
    await page.goto(`${app.baseUrl}/staff/bookings/${other}`);
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.waitForURL(/done=cancelled/);
    expect((await app.stores.reads.booking(app.deps.bookings.locationId, other))?.status).toBe(
      "cancelled",
    );
  });

  it("shows a receptionist the plan read-only; an admin edits it, previews an email and saves a new version", {
    timeout: 120_000,
  }, async () => {
    const { page } = browser;
    await page.goto(`${app.baseUrl}/staff/plan`);
    expect(await page.getByRole("note").textContent()).toContain(
      "Only an admin can change the aftercare plan",
    );
    expect(await page.getByRole("button", { name: "Save as a new version" }).count()).toBe(0);
    expect(await page.locator("input[name='s1.subject']").getAttribute("readonly")).not.toBeNull();
    // When each email would arrive for a sample session, as the follow-ups will time it.
    const arrivals = page.getByRole("region", { name: "When each email arrives" });
    expect(await arrivals.locator("tbody tr").nth(1).textContent()).toMatch(
      /^day-2.*11:00 AM \(24 h after the session\); its window opens at hour 24$/,
    );
    expect(await arrivals.locator("tbody tr").nth(3).textContent()).toMatch(/^week-1.*9:00 AM/);
    await check("staff-10b-plan-read-only");
    // The admin signs in in the same browser.
    await page.getByRole("button", { name: /Sign out/ }).click();
    await page.waitForURL(/signed-out=1/);
    await page.goto(`${app.baseUrl}/staff/plan`);
    await page.getByLabel("Email").fill(boss.email);
    await page.getByLabel("Password").fill(boss.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/staff\/plan$/);
    expect(await page.locator("main > p").first().textContent()).toContain("Version 1 is in use");
    const subject = page.locator("input[name='s1.subject']");
    await subject.fill("Microneedling day one");
    await page.getByRole("button", { name: "Save as a new version" }).click();
    expect(await page.getByRole("alert").first().textContent()).toContain("Nothing was saved");
    expect(await page.locator("main").textContent()).toContain("must not name the procedure");
    expect((await app.stores.plans.currentPlan(app.deps.bookings.locationId))?.version).toBe(1);

    await subject.fill("Day one: gentle care from {{clinicName}}");
    await page
      .locator("fieldset")
      .nth(1)
      .getByRole("button", { name: "Preview this email" })
      .click();
    expect(await page.locator("#preview-title").textContent()).toBe(
      "Preview: Day one: gentle care from Face of Jules",
    );
    expect(await page.frameLocator("iframe.preview").locator("body").textContent()).toContain(
      "Hello Alex Sample",
    );
    await check("staff-11-plan-preview");
    await page.getByRole("button", { name: "Save as a new version" }).click();
    await page.waitForURL(/saved=2/);
    expect(await page.getByRole("status").textContent()).toContain("Saved as version 2");
    const plan = await app.stores.plans.currentPlan(app.deps.bookings.locationId);
    expect(plan?.version).toBe(2);
    expect(plan?.steps[1]?.subject).toBe("Day one: gentle care from {{clinicName}}");
    expect(plan?.steps.length).toBe(9);
    await check("staff-12-plan-saved");
  });

  it("signs out, and an expired session goes back to sign in", async () => {
    const { page, context } = browser;
    await page.goto(`${app.baseUrl}/staff`);
    await page.getByRole("button", { name: /Sign out/ }).click();
    await page.waitForURL(/signed-out=1/);
    expect(await page.getByRole("status").textContent()).toBe("You are signed out.");
    await page.goto(`${app.baseUrl}/staff/audit`);
    expect(page.url()).toContain("/staff/sign-in?next=%2Fstaff%2Faudit");

    const host = new URL(app.baseUrl).hostname;
    await context.addCookies([
      { name: STAFF_COOKIE, value: "eyJhbGciOiJIUzI1NiJ9.e30.expired", domain: host, path: "/" },
    ]);
    await page.goto(`${app.baseUrl}/staff`);
    expect(page.url()).toContain("expired=1");
    expect(await page.getByRole("status").textContent()).toContain("Your session has expired");
  });
});
