import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoClinic } from "../../local/demo-clinic";
import type { Catalog } from "../../shared/domain/catalog";
import { bookingBody, startTestApp, type TestApp } from "../support/test-app";

/**
 * Both 2026 Los Angeles changes through the real API: slots keep their local
 * times, and the 28-day rule counts calendar days, not 24-hour periods.
 */
const everyDay = { start: "09:00", end: "17:00" };
const catalog: Catalog = {
  ...demoClinic,
  closures: [],
  practitioners: [
    {
      id: "jules",
      name: "Jules",
      weeklyHours: Object.fromEntries(
        ["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [everyDay]]),
      ),
      treatmentIds: ["microneedling-face"],
    },
  ],
};

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ now: "2026-02-01T18:00:00Z", catalog });
});
afterAll(() => app.close());

async function slots(from: string, to: string) {
  const res = await app.request(
    `/api/availability?treatmentId=microneedling-face&from=${from}&to=${to}`,
  );
  return ((await res.json()) as { slots: { start: string }[] }).slots.map((s) => s.start);
}

async function book(start: string, email: string, now?: string) {
  if (now) app.clock.set(now);
  const res = await app.request("/api/bookings", {
    method: "POST",
    json: bookingBody({ start, patient: { name: "Dee Ess", email } }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe("daylight-saving time in Los Angeles", () => {
  it("slots on the change days start at 09:00 local with the right offset", async () => {
    const march = await slots("2026-03-07", "2026-03-09");
    expect(march).toContain("2026-03-07T09:00:00-08:00");
    expect(march).toContain("2026-03-08T09:00:00-07:00");
    expect(march).toContain("2026-03-09T09:00:00-07:00");
    const perDay = (d: string) => march.filter((s) => s.startsWith(d)).length;
    expect(perDay("2026-03-08")).toBe(perDay("2026-03-07"));
    app.clock.set("2026-10-20T18:00:00Z");
    const nov = await slots("2026-10-31", "2026-11-02");
    expect(nov).toContain("2026-10-31T15:45:00-07:00");
    expect(nov).not.toContain("2026-10-31T16:00:00-07:00");
    expect(nov).toContain("2026-11-01T09:00:00-08:00");
    expect(nov.filter((s) => s.startsWith("2026-11-01")).length).toBe(
      nov.filter((s) => s.startsWith("2026-10-31")).length,
    );
  });

  it("28 calendar days across 2026-03-08 is allowed though only 28 × 24 − 7 hours pass; 27 is refused", async () => {
    const first = await book(
      "2026-02-15T15:00:00-08:00",
      "march@example.com",
      "2026-02-01T18:00:00Z",
    );
    expect(first.status).toBe(201);
    // 2026-03-14 is 27 days later.
    expect((await book("2026-03-14T09:00:00-07:00", "march@example.com")).body.error.code).toBe(
      "SPACING_TOO_SOON",
    );
    // 2026-03-15 09:00 PDT is 28 calendar days but under 28 × 24 h after 2026-02-15 15:00 PST.
    const ok = await book("2026-03-15T09:00:00-07:00", "march@example.com");
    expect(ok.status).toBe(201);
    expect(
      Date.parse("2026-03-15T09:00:00-07:00") - Date.parse("2026-02-15T15:00:00-08:00"),
    ).toBeLessThan(28 * 86_400_000);
  });

  it("27 calendar days across 2026-11-01 is refused though more than 27 × 24 h pass; 28 is allowed", async () => {
    const first = await book(
      "2026-10-12T09:00:00-07:00",
      "nov@example.com",
      "2026-10-01T18:00:00Z",
    );
    expect(first.status).toBe(201);
    const start27 = "2026-11-08T15:00:00-08:00";
    expect(Date.parse(start27) - Date.parse("2026-10-12T09:00:00-07:00")).toBeGreaterThan(
      27 * 86_400_000,
    );
    expect((await book(start27, "nov@example.com")).body.error.code).toBe("SPACING_TOO_SOON");
    expect((await book("2026-11-09T09:00:00-08:00", "nov@example.com")).status).toBe(201);
  });
});
