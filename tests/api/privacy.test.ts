import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { patientIdFor } from "../../shared/services/bookings";
import { suppressAddress } from "../../shared/services/consent";
import { bookingBody, emailsTo, startTestApp, type TestApp } from "../support/test-app";

/**
 * Privacy of the logs: the whole journey of one patient (book online, move, a
 * refused early booking, a receptionist's override, the reminder, completion,
 * every aftercare email, a cancellation, unsubscribe, a bounce and a booking after
 * it, plus bad requests carrying the address) runs with a capturing logger, and
 * neither the log lines nor anything printed to stdout/stderr holds the patient's
 * email, name or phone in any spelling: ids only.
 */

const NOW = "2026-11-30T18:00:00Z"; // Monday 10:00 in Los Angeles
const PATIENT = {
  name: "Marisol O'Brien-Quintana",
  email: "Marisol.Quintana+care@Example.com",
  phone: "+1 310 555 0142",
};

/** Every spelling of the patient's details that could reach a log. */
function secretsOf(p: typeof PATIENT): string[] {
  const email = p.email;
  const lower = email.toLowerCase();
  const [local = "", domain = ""] = lower.split("@");
  const digits = p.phone.replace(/\D/g, "");
  const [first = "", ...rest] = p.name.split(" ");
  const last = rest.join(" ");
  return [
    email,
    lower,
    email.toUpperCase(),
    local,
    `${local.split("+")[0]}@${domain}`,
    encodeURIComponent(email),
    encodeURIComponent(lower),
    lower.replace("@", "%40"),
    Buffer.from(email).toString("base64"),
    Buffer.from(lower).toString("base64"),
    p.name,
    p.name.toLowerCase(),
    p.name.toUpperCase(),
    first,
    last,
    "O&#39;Brien",
    "O\\u0027Brien",
    encodeURIComponent(p.name),
    p.name.replaceAll(" ", "+"),
    p.phone,
    digits,
    digits.slice(1),
    "555 0142",
    "5550142",
  ].filter((s) => s.length >= 4);
}

let app: TestApp;
let staff: { authorization: string };
const printed: string[] = [];
const spies: { mockRestore(): void }[] = [];

beforeAll(async () => {
  // Anything the code under test prints goes through these too.
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    spies.push(
      vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...args: unknown[]) => {
        printed.push(String(chunk));
        return (original as (...a: unknown[]) => boolean)(chunk, ...args);
      }) as typeof stream.write),
    );
  }
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    spies.push(
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      }),
    );
  }
  app = await startTestApp({ now: NOW });
  staff = { authorization: `Bearer ${await app.staffToken("receptionist")}` };
});

afterAll(async () => {
  for (const s of spies) s.mockRestore();
  await app?.close();
});

const json = async (res: Response) => {
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, any>, text };
};

describe("a whole patient journey leaves no personal data in the logs", () => {
  const ids: string[] = [];

  it("runs: book, move, refused, override, reminder, complete, aftercare, cancel, unsubscribe, bounce", async () => {
    // Book online, with a phone number.
    const booked = await json(
      await app.request("/api/bookings", {
        method: "POST",
        json: bookingBody({ start: "2026-12-08T13:00:00-08:00", patient: PATIENT }),
        headers: { "idempotency-key": "privacy-journey-1" },
      }),
    );
    expect(booked.status, booked.text).toBe(201);
    const first = booked.body.booking.id as string;
    const token = new URL(booked.body.manageUrl).searchParams.get("token") ?? "";
    ids.push(first);
    // A retry of the same request replays.
    const replay = await app.request("/api/bookings", {
      method: "POST",
      json: bookingBody({ start: "2026-12-08T13:00:00-08:00", patient: PATIENT }),
      headers: { "idempotency-key": "privacy-journey-1" },
    });
    expect(replay.status).toBe(201);

    // Move it with the manage link.
    const moved = await app.request(`/api/bookings/${first}/reschedule`, {
      method: "POST",
      json: { start: "2026-12-09T13:00:00-08:00" },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(moved.status).toBe(200);

    // Too soon online: refused, and the patient is emailed why.
    const refused = await json(
      await app.request("/api/bookings", {
        method: "POST",
        json: bookingBody({ start: "2026-12-22T09:00:00-08:00", patient: PATIENT }),
      }),
    );
    expect(refused.body.error.code).toBe("SPACING_TOO_SOON");

    // A receptionist books it anyway, with a reason, and looks the patient up.
    const override = await json(
      await app.request("/api/staff/bookings", {
        method: "POST",
        json: bookingBody({
          start: "2026-12-22T09:00:00-08:00",
          patient: PATIENT,
          override: { reason: "Patient travels in January; approved by Jules" },
        }),
        headers: staff,
      }),
    );
    expect(override.status, override.text).toBe(201);
    const second = override.body.booking.id as string;
    ids.push(second);
    const lookup = await app.request(
      `/api/staff/patients?email=${encodeURIComponent(PATIENT.email)}`,
      { headers: staff },
    );
    expect(lookup.status).toBe(200);
    expect(
      (await app.request("/api/staff/schedule?date=2026-12-09", { headers: staff })).status,
    ).toBe(200);
    const secondToken = new URL(override.body.manageUrl).searchParams.get("token") ?? "";

    // Bad requests that carry the patient's details.
    for (const body of [
      { ...bookingBody({ patient: PATIENT }), unknownField: PATIENT.email },
      bookingBody({ patient: { ...PATIENT, phone: `${PATIENT.phone} ext <9>` } }),
      bookingBody({ patient: { ...PATIENT, name: `${PATIENT.name}\r\nBcc: x@example.com` } }),
    ]) {
      const res = await app.request("/api/bookings", { method: "POST", json: body });
      expect(res.status).toBe(422);
    }
    const badSignIn = await app.request("/api/staff/session", {
      method: "POST",
      json: { email: PATIENT.email, password: PATIENT.phone },
    });
    expect(badSignIn.status).toBe(401);

    // Confirmations and the reminder, then the session happens and is completed.
    await app.runFollowUps("2026-12-08T21:00:00Z");
    app.clock.set("2026-12-09T21:30:00Z");
    const done = await app.request(`/api/staff/bookings/${first}/complete`, {
      method: "POST",
      headers: staff,
    });
    expect(done.status).toBe(200);
    const followUps = await app.request(`/api/staff/bookings/${first}/follow-ups`, {
      headers: staff,
    });
    expect(followUps.status).toBe(200);

    // The patient cancels the override booking with its link, days ahead.
    app.clock.set("2026-12-15T18:00:00Z");
    const cancelled = await app.request(`/api/bookings/${second}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${secondToken}` },
    });
    expect(cancelled.status).toBe(200);

    // Six weeks of aftercare.
    const counts = await app.runFollowUps("2027-01-25T00:00:00Z");
    expect(counts.sent).toBeGreaterThan(5);
    const mails = await emailsTo(PATIENT.email);
    expect(mails.length).toBeGreaterThan(8);

    // Unsubscribe with the link of an aftercare email.
    const link = mails
      .map((m) => m.body.text?.match(/\/unsubscribe\?token=([^\s&]+)/)?.[1])
      .find(Boolean);
    expect(link).toBeTruthy();
    const unsubscribed = await app.request(`/api/unsubscribe?token=${link}`, { method: "POST" });
    expect(unsubscribed.status).toBe(200);

    // A bounce suppresses the address; a later booking's emails are skipped.
    app.clock.set("2027-01-25T18:00:00Z");
    await suppressAddress(app.deps.bookings, {
      email: PATIENT.email.toUpperCase(),
      reason: "Permanent bounce (General)",
      locationIds: [app.deps.bookings.locationId],
    });
    const later = await json(
      await app.request("/api/bookings", {
        method: "POST",
        json: bookingBody({ start: "2027-02-16T13:00:00-08:00", patient: PATIENT }),
      }),
    );
    expect(later.status, later.text).toBe(201);
    ids.push(later.body.booking.id as string);
    await app.runFollowUps("2027-01-25T18:00:00Z");
    app.clock.set(NOW);
  }, 120_000);

  it("the log was written, by id", () => {
    const logged = JSON.stringify(app.logger.lines);
    expect(app.logger.lines.length).toBeGreaterThan(15);
    for (const id of ids) expect(logged).toContain(id);
    expect(app.logger.lines.filter((l) => l.level === "error")).toEqual([]);
  });

  it("no log line holds the patient's email, name or phone in any spelling", () => {
    const secrets = secretsOf(PATIENT);
    expect(secrets.length).toBeGreaterThan(15);
    for (const line of app.logger.lines) {
      const text = JSON.stringify(line);
      for (const secret of secrets) {
        expect(text.toLowerCase(), `"${secret}" in ${text}`).not.toContain(secret.toLowerCase());
      }
    }
  });

  it("nor does anything printed to stdout or stderr", () => {
    const all = printed.join("\n").toLowerCase();
    for (const secret of secretsOf(PATIENT)) {
      expect(all, `"${secret}" was printed`).not.toContain(secret.toLowerCase());
    }
  });

  it("the patient id in the logs is an opaque hash, not the address", () => {
    const patientId = patientIdFor(app.deps.bookings.locationId, PATIENT.email);
    expect(patientId).toMatch(/^[0-9a-f]{32}$/);
    expect(patientId).not.toContain("marisol");
  });
});
