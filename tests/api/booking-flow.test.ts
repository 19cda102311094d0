import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookingBody, emailsTo, startTestApp, type TestApp } from "../support/test-app";

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
      bookingBody({ patient: { name: "Lee Park", email }, start: "2026-12-08T13:00:00-08:00" }),
    );
    expect(first.status).toBe(201);
    expect(first.body.booking).toMatchObject({
      status: "confirmed",
      start: "2026-12-08T13:00:00-08:00",
    });

    // 2027-01-04 is 27 days after 2026-12-08.
    const tooSoon = await book(
      bookingBody({ patient: { name: "Lee Park", email }, start: "2027-01-04T13:00:00-08:00" }),
    );
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.body.error?.code).toBe("SPACING_TOO_SOON");
    expect(JSON.stringify(tooSoon.body)).not.toMatch(/2026-12-08|2027-|earliest|previous/i);

    // 28 days later, with the address typed differently: still the same patient.
    const onTime = await book(
      bookingBody({
        patient: { name: "Lee Park", email: " SPACING@example.com" },
        start: "2027-01-05T13:00:00-08:00",
      }),
    );
    expect(onTime.status).toBe(201);
  });
});

describe("the refused patient is told by email, once", () => {
  it("emails the earliest allowed date and a rebooking link; the caller sees none of it", async () => {
    const email = "told.by.email@example.com";
    const ok = await book(
      bookingBody({ patient: { name: "Zoe", email }, start: "2026-12-08T09:00:00-08:00" }),
    );
    expect(ok.status).toBe(201);
    const refused = await book(
      bookingBody({ patient: { name: "Zoe", email }, start: "2026-12-15T09:00:00-08:00" }),
    );
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).not.toMatch(/2027|2026-12-08|01-05/);

    const mails = await emailsTo(email);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.subject).toBe("About your booking request at Face of Jules");
    expect(mail?.subject).not.toMatch(/microneedling/i);
    expect(mail?.body.text).toContain(
      "You can book your next session from Tuesday 5 January 2027.",
    );
    expect(mail?.body.text).toContain("4 to 6 weeks apart");
    expect(mail?.body.text).toMatch(/https:\/\/clinic\.test\/book\?rebook=v1\.rebook\./);

    // Trying again the same day sends nothing more.
    await book(
      bookingBody({ patient: { name: "Zoe", email }, start: "2026-12-16T09:00:00-08:00" }),
    );
    expect(await emailsTo(email)).toHaveLength(1);
  });

  it("escapes the name in the HTML part", async () => {
    const email = "escaped@example.com";
    await book(
      bookingBody({ patient: { name: "Amy O'Hara", email }, start: "2026-12-08T11:00:00-08:00" }),
    );
    await book(
      bookingBody({ patient: { name: "Amy O'Hara", email }, start: "2026-12-10T11:00:00-08:00" }),
    );
    const [mail] = await emailsTo(email);
    expect(mail?.body.html).toContain("Hello Amy O&#39;Hara,");
    expect(mail?.body.text).toContain("Hello Amy O'Hara,");
  });
});
