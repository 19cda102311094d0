import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookingBody, startTestApp, type TestApp } from "../support/test-app";

/**
 * Real requests racing through the HTTP server into DynamoDB Local: the
 * invariants hold because one transaction checks and writes them together.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
});
afterAll(() => app.close());

async function race(bodies: Record<string, unknown>[]) {
  const responses = await Promise.all(
    bodies.map((json) => app.request("/api/bookings", { method: "POST", json })),
  );
  return Promise.all(
    responses.map(async (r) => ({
      status: r.status,
      body: (await r.json()) as { booking?: { id: string }; error?: { code: string } },
    })),
  );
}

const scheduleOf = (date: string) => app.schedule(date);

describe("concurrent bookings", () => {
  it("50 patients racing for one slot: exactly one 201 and 49 SLOT_TAKEN, no 5xx", async () => {
    const bodies = Array.from({ length: 50 }, (_, i) =>
      bookingBody({
        start: "2026-12-08T10:00:00-08:00",
        practitionerId: "jules",
        patient: { name: `Racer ${i}`, email: `racer${i}@example.com` },
      }),
    );
    const results = await race(bodies);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(49);
    expect(new Set(refused.map((r) => r.body.error?.code))).toEqual(new Set(["SLOT_TAKEN"]));

    const day = await scheduleOf("2026-12-08");
    expect(day.filter((b) => b.status === "confirmed")).toHaveLength(1);
  });

  it("48 racing for overlapping starts (13:00 to 13:45 every 15 min) never double-book", async () => {
    const starts = ["13:00", "13:15", "13:30", "13:45"];
    const bodies = Array.from({ length: 48 }, (_, i) =>
      bookingBody({
        start: `2026-12-09T${starts[i % 4]}:00-08:00`,
        practitionerId: "jules",
        patient: { name: `Overlap ${i}`, email: `overlap${i}@example.com` },
      }),
    );
    const results = await race(bodies);
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    const day = (await scheduleOf("2026-12-09")).filter((b) => b.status === "confirmed");
    expect(day).toHaveLength(1);
  });

  it("one patient booking days 1 to 20 of a month at once gets exactly one booking", async () => {
    // January 2027, every day with a 10:00 slot (Jules works Mon–Sat; closed 1 Jan and Sundays).
    const days = Array.from({ length: 20 }, (_, i) => `2027-01-${String(i + 1).padStart(2, "0")}`);
    const bodies = days.map((d, i) =>
      bookingBody({
        start: `${d}T11:00:00-08:00`,
        practitionerId: i % 2 ? "jules" : undefined,
        patient: { name: "Same Patient", email: "same.patient@example.com" },
      }),
    );
    const results = await race(bodies);
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    const codes = new Set(results.filter((r) => r.status !== 201).map((r) => r.body.error?.code));
    // Sundays and the 1 January closure are not offered at all; every other day is too close.
    for (const code of codes) expect(["SPACING_TOO_SOON", "SLOT_UNAVAILABLE"]).toContain(code);
    expect(results.filter((r) => r.body.error?.code === "SPACING_TOO_SOON").length).toBeGreaterThan(
      10,
    );

    let confirmed = 0;
    for (const d of days)
      confirmed += (await scheduleOf(d)).filter((b) => b.status === "confirmed").length;
    expect(confirmed).toBe(1);
  });
});
