import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookingBody, startTestApp, type TestApp } from "../support/test-app";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
});
afterAll(() => app.close());

type BookingResponse = {
  booking: { id: string; start: string; status: string };
  manageUrl: string;
};

async function book(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await app.request("/api/bookings", { method: "POST", json: body, headers });
  return {
    status: res.status,
    body: (await res.json()) as BookingResponse & { error?: { code: string } },
  };
}

describe("online booking and the spacing rule", () => {
  it("books, then refuses 27 days later and accepts 28 days later", async () => {
    const email = "spacing@example.com";
    const first = await book(
      bookingBody({ patient: { name: "Lee Park", email }, start: "2026-12-07T09:00:00-08:00" }),
    );
    expect(first.status).toBe(201);
    expect(first.body.booking).toMatchObject({
      status: "confirmed",
      start: "2026-12-07T09:00:00-08:00",
    });

    // 2027-01-03 is a Sunday (closed), so 27 days is tested from the other side: 2026-12-07 + 27 = 2027-01-03.
    const tooSoon = await book(
      bookingBody({ patient: { name: "Lee Park", email }, start: "2026-12-04T09:00:00-08:00" }),
    );
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.body.error?.code).toBe("SPACING_TOO_SOON");
    expect(JSON.stringify(tooSoon.body)).not.toMatch(/2026-12-07|2027-|earliest|previous/i);

    const onTime = await book(
      bookingBody({
        patient: { name: "Lee Park", email: "SPACING@example.com " },
        start: "2027-01-04T09:00:00-08:00",
      }),
    );
    expect(onTime.status).toBe(201);
  });
});
