import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { importJWK, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { STAFF_COOKIE } from "../../functions/api/context";
import { patientIdFor } from "../../shared/services/bookings";
import { bookingBody, emailsTo, startTestApp, type TestApp } from "../support/test-app";

/**
 * Who may see and change what, beyond tests/api/manage-links.test.ts and
 * staff-auth.test.ts: each patient link works for its one purpose only (manage,
 * rebook, unsubscribe), for its one subject, until it expires; a link replayed
 * after its booking was cancelled or moved can read but not change it, and never
 * reaches another booking; patient links are no staff credential; a staff JWT
 * signed by the pool's own key is still refused when expired, for another pool or
 * client, or without a staff group.
 *
 * Decided behaviour for replayed manage links: the link names a booking, not a
 * slot, so after a move it keeps working until its own expiry (30 days after the
 * start it was issued for); the moved booking's new confirmation carries a fresh
 * link for the new date. After a cancellation it still shows the booking (as
 * cancelled) and every change is 409 INVALID_STATE.
 */

let app: TestApp;
const NOW = "2026-11-30T18:00:00Z"; // Monday 10:00 in Los Angeles
const DAY_MS = 86_400_000;

beforeAll(async () => {
  app = await startTestApp({ now: NOW });
});
afterEach(() => app.clock.set(NOW));
afterAll(async () => {
  await app?.close();
});

type ErrorBody = { error: { code: string; message: string } };
type Held = { id: string; token: string; email: string; patientId: string };

async function book(start: string, who: string): Promise<Held> {
  const email = `${who}.access@example.com`;
  const res = await app.request("/api/bookings", {
    method: "POST",
    json: bookingBody({ start, patient: { name: `${who} Access`, email } }),
  });
  const text = await res.text();
  expect(res.status, text).toBe(201);
  const body = JSON.parse(text) as { booking: { id: string }; manageUrl: string };
  return {
    id: body.booking.id,
    token: new URL(body.manageUrl).searchParams.get("token") ?? "",
    email,
    patientId: patientIdFor(app.deps.bookings.locationId, email),
  };
}

async function expectError(res: Response, status: number, code: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  expect((JSON.parse(text) as ErrorBody).error.code).toBe(code);
  return text;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const sign = (purpose: "manage" | "rebook" | "unsubscribe", subject: string, days = 60) =>
  app.deps.tokens.sign(purpose, subject, new Date(Date.parse(NOW) + days * DAY_MS));

const read = (id: string, token: string) =>
  app.request(`/api/bookings/${id}`, { headers: bearer(token) });
const cancel = (id: string, token: string) =>
  app.request(`/api/bookings/${id}/cancel`, { method: "POST", headers: bearer(token) });
const reschedule = (id: string, token: string, start: string) =>
  app.request(`/api/bookings/${id}/reschedule`, {
    method: "POST",
    json: { start, practitionerId: "jules" },
    headers: bearer(token),
  });
const statusOf = async (b: Held) =>
  ((await (await read(b.id, b.token)).json()) as { booking: { status: string; start: string } })
    .booking;

/** The patient's consent as staff see it. */
async function patientRecord(email: string) {
  const res = await app.request(`/api/staff/patients?email=${encodeURIComponent(email)}`, {
    headers: bearer(await app.staffToken("receptionist")),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { patient: { aftercareOptOut?: boolean; unsubscribed?: boolean } })
    .patient;
}

const earliestWith = async (rebook: string) => {
  const res = await app.request(
    `/api/availability?treatmentId=microneedling-face&from=2026-12-14&to=2026-12-18&rebook=${encodeURIComponent(rebook)}`,
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { earliestAllowedDate?: string }).earliestAllowedDate;
};

describe("each patient link serves its own purpose only", () => {
  let a: Held;
  let b: Held;
  beforeAll(async () => {
    a = await book("2026-12-07T09:00:00-08:00", "ada");
    b = await book("2026-12-07T11:00:00-08:00", "bo");
  });

  it("one's own valid manage token never reads, moves or cancels another booking, by path or query", async () => {
    for (const [id, token] of [
      [b.id, a.token],
      [a.id, b.token],
    ] as const) {
      await expectError(await read(id, token), 404, "NOT_FOUND");
      await expectError(
        await app.request(`/api/bookings/${id}?token=${encodeURIComponent(token)}`),
        404,
        "NOT_FOUND",
      );
      await expectError(await reschedule(id, token, "2026-12-08T09:00:00-08:00"), 404, "NOT_FOUND");
      await expectError(await cancel(id, token), 404, "NOT_FOUND");
    }
    // A good token in the header does not lend its weight to another id in the query.
    await expectError(
      await app.request(`/api/bookings/${b.id}?token=${encodeURIComponent(b.token)}`, {
        headers: bearer(a.token),
      }),
      404,
      "NOT_FOUND",
    );
    expect((await statusOf(a)).status).toBe("confirmed");
    expect((await statusOf(b)).status).toBe("confirmed");
  });

  it("rebook and unsubscribe tokens of the patient (or naming the booking) are no manage token", async () => {
    for (const token of [
      sign("rebook", a.patientId),
      sign("unsubscribe", a.patientId),
      sign("rebook", a.id),
      sign("unsubscribe", a.id),
      sign("manage", a.patientId),
    ]) {
      await expectError(await read(a.id, token), 404, "NOT_FOUND");
      await expectError(await cancel(a.id, token), 404, "NOT_FOUND");
    }
    expect((await statusOf(a)).status).toBe("confirmed");
  });

  it("manage and rebook tokens cannot unsubscribe; the patient stays subscribed", async () => {
    for (const token of [a.token, sign("rebook", a.patientId), sign("manage", a.patientId)]) {
      const q = `token=${encodeURIComponent(token)}`;
      await expectError(
        await app.request(`/api/unsubscribe?${q}`, { method: "POST" }),
        404,
        "NOT_FOUND",
      );
      expect((await app.request(`/unsubscribe?${q}`)).status).toBe(404);
      expect((await app.request(`/unsubscribe?${q}`, { method: "POST" })).status).toBe(404);
    }
    expect(await patientRecord(a.email)).not.toMatchObject({ aftercareOptOut: true });
  });

  it("only a genuine, unexpired rebook token for the patient adds their earliest date", async () => {
    expect(await earliestWith(sign("rebook", a.patientId))).toBe("2027-01-04");
    for (const token of [
      a.token,
      sign("unsubscribe", a.patientId),
      sign("manage", a.patientId),
      sign("rebook", a.patientId).replace(/.$/, (c) => (c === "A" ? "B" : "A")),
    ]) {
      expect(await earliestWith(token)).toBeUndefined();
    }
    const expiring = sign("rebook", a.patientId, 2);
    expect(await earliestWith(expiring)).toBe("2027-01-04");
    app.clock.set(new Date(Date.parse(NOW) + 2 * DAY_MS));
    expect(await earliestWith(expiring)).toBeUndefined();
  });

  it("an unsubscribe token works once it is genuine and unexpired, and replaying it changes nothing more", async () => {
    const expired = sign("unsubscribe", b.patientId, 1);
    app.clock.set(new Date(Date.parse(NOW) + DAY_MS));
    await expectError(
      await app.request(`/api/unsubscribe?token=${encodeURIComponent(expired)}`, {
        method: "POST",
      }),
      404,
      "NOT_FOUND",
    );
    app.clock.set(NOW);
    const forged = `v1.unsubscribe.${b.patientId}.9999999999.${"A".repeat(43)}`;
    await expectError(
      await app.request(`/api/unsubscribe?token=${forged}`, { method: "POST" }),
      404,
      "NOT_FOUND",
    );
    expect(await patientRecord(b.email)).not.toMatchObject({ aftercareOptOut: true });

    const genuine = encodeURIComponent(sign("unsubscribe", b.patientId));
    for (let i = 0; i < 2; i++) {
      const res = await app.request(`/api/unsubscribe?token=${genuine}`, { method: "POST" });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ unsubscribed: true });
    }
    expect(await patientRecord(b.email)).toMatchObject({ aftercareOptOut: true });
    // Someone else's unsubscribe token did not touch Ada.
    expect(await patientRecord(a.email)).not.toMatchObject({ aftercareOptOut: true });
  });
});

describe("replayed manage links", () => {
  it("after a cancellation: the link shows the booking as cancelled, every change is 409, and it never reaches the next booking of that slot", async () => {
    const c = await book("2026-12-08T09:00:00-08:00", "cy");
    expect((await cancel(c.id, c.token)).status).toBe(200);
    expect(await statusOf(c)).toMatchObject({ status: "cancelled" });
    await expectError(await cancel(c.id, c.token), 409, "INVALID_STATE");
    await expectError(
      await reschedule(c.id, c.token, "2026-12-09T09:00:00-08:00"),
      409,
      "INVALID_STATE",
    );
    // Someone else takes the freed slot: the old link has nothing to do with it.
    const d = await book("2026-12-08T09:00:00-08:00", "di");
    expect(d.id).not.toBe(c.id);
    await expectError(await read(d.id, c.token), 404, "NOT_FOUND");
    await expectError(await cancel(d.id, c.token), 404, "NOT_FOUND");
    expect((await statusOf(d)).status).toBe("confirmed");
  });

  it("after a move: the old link keeps working until its own expiry; the new confirmation carries a link for the new date", async () => {
    const e = await book("2026-12-09T09:00:00-08:00", "ed");
    await app.runFollowUps(NOW); // the first confirmation goes out
    const moved = await reschedule(e.id, e.token, "2027-02-17T09:00:00-08:00");
    expect(moved.status, await moved.clone().text()).toBe(200);
    await app.runFollowUps(NOW);
    const confirmations = await emailsTo(e.email);
    expect(confirmations.map((m) => m.subject)).toEqual([
      "Your appointment at Face of Jules is confirmed",
      "Your appointment at Face of Jules has been moved",
    ]);
    const links = confirmations.map((m) =>
      decodeURIComponent(m.body.text?.match(/\/manage\/[^?\s]+\?token=([^\s]+)/)?.[1] ?? ""),
    );
    expect(links[0]).toBe(e.token);
    const fresh = links[1] ?? "";
    expect(fresh).not.toBe(e.token);
    expect(fresh.split(".")[2]).toBe(e.id);

    // Both links read the moved booking now.
    for (const token of [e.token, fresh]) {
      expect((await read(e.id, token)).status).toBe(200);
    }
    // 30 days after the original start the old link is dead, the fresh one still works.
    app.clock.set(new Date(Date.parse("2026-12-09T17:00:00Z") + 30 * DAY_MS));
    await expectError(await read(e.id, e.token), 404, "NOT_FOUND");
    await expectError(await cancel(e.id, e.token), 404, "NOT_FOUND");
    const ok = await read(e.id, fresh);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { booking: { start: string } }).booking.start).toBe(
      "2027-02-17T09:00:00-08:00",
    );
  });

  it("after the session was completed: the link reads it, but cannot cancel or move it", async () => {
    const f = await book("2026-12-10T09:00:00-08:00", "fay");
    app.clock.set("2026-12-10T18:30:00Z"); // 10:30 local: the session has started
    const done = await app.request(`/api/staff/bookings/${f.id}/complete`, {
      method: "POST",
      headers: bearer(await app.staffToken("receptionist")),
    });
    expect(done.status).toBe(200);
    expect((await statusOf(f)).status).toBe("completed");
    const refused = [
      await cancel(f.id, f.token),
      await reschedule(f.id, f.token, "2027-01-12T09:00:00-08:00"),
    ];
    for (const res of refused) {
      expect(res.status).toBe(409);
      expect(["INVALID_STATE", "TOO_LATE_TO_CHANGE"]).toContain(
        ((await res.json()) as ErrorBody).error.code,
      );
    }
    expect((await statusOf(f)).status).toBe("completed");
  });
});

describe("staff routes", () => {
  const ROUTES: [string, string][] = [
    ["GET", "/api/staff/schedule?date=2026-12-07"],
    ["GET", "/api/staff/audit?from=2026-11-01&to=2026-12-31"],
    ["GET", "/api/staff/aftercare-plan"],
    ["POST", "/api/staff/bookings"],
  ];
  const call = (method: string, path: string, headers: Record<string, string>) =>
    app.request(path, {
      method,
      headers,
      ...(method === "POST" ? { json: bookingBody() } : {}),
    });

  it("patient tokens of every purpose, as Bearer or as the session cookie → 401", async () => {
    const g = await book("2026-12-11T09:00:00-08:00", "gil");
    for (const token of [g.token, sign("rebook", g.patientId), sign("unsubscribe", g.patientId)]) {
      for (const [method, path] of ROUTES) {
        await expectError(await call(method, path, bearer(token)), 401, "UNAUTHENTICATED");
        await expectError(
          await call(method, path, { cookie: `${STAFF_COOKIE}=${token}` }),
          401,
          "UNAUTHENTICATED",
        );
      }
    }
    expect(await app.schedule("2026-12-07")).toHaveLength(2); // nothing was booked by them
  });

  describe("JWTs signed with the pool's own key", () => {
    const require_ = createRequire(import.meta.url);
    let key: Awaited<ReturnType<typeof importJWK>>;
    let genuine: { header: Record<string, unknown>; payload: Record<string, unknown> };

    const decode = (jwt: string, part: 0 | 1) =>
      JSON.parse(Buffer.from(jwt.split(".")[part] ?? "", "base64url").toString("utf8"));

    /** The receptionist's real access token, re-signed with `change` applied to its claims. */
    const resigned = (change: (p: Record<string, unknown>) => void) => {
      const payload = structuredClone(genuine.payload);
      change(payload);
      return new SignJWT(payload)
        .setProtectedHeader(genuine.header as { alg: string; kid?: string })
        .sign(key);
    };
    const nowS = () => Math.floor(Date.now() / 1000);

    beforeAll(async () => {
      const file = require_.resolve("cognito-local/lib/keys/cognitoLocal.private.json");
      const { jwk } = JSON.parse(readFileSync(file, "utf8")) as { jwk: Record<string, string> };
      key = await importJWK(jwk, "RS256");
      const token = await app.staffToken("receptionist");
      genuine = { header: decode(token, 0), payload: decode(token, 1) };
      expect(genuine.payload).toMatchObject({ token_use: "access" });
    });

    it("the re-signing is faithful: a fresh copy of a genuine token is accepted", async () => {
      const copy = await resigned((p) => {
        p.iat = nowS();
        p.exp = nowS() + 600;
      });
      expect((await call("GET", ROUTES[0]?.[1] ?? "", bearer(copy))).status).toBe(200);
    });

    it.each([
      [
        "expired a minute ago",
        (p: Record<string, unknown>) => {
          p.iat = nowS() - 3_660;
          p.exp = nowS() - 60;
        },
      ],
      [
        "expired a year ago",
        (p: Record<string, unknown>) => {
          p.iat = nowS() - 366 * 86_400;
          p.exp = nowS() - 365 * 86_400;
        },
      ],
      ["with no expiry at all", (p: Record<string, unknown>) => delete p.exp],
      [
        "not valid before an hour from now",
        (p: Record<string, unknown>) => {
          p.nbf = nowS() + 3_600;
        },
      ],
      [
        "from another user pool",
        (p: Record<string, unknown>) => {
          p.iss = `${String(p.iss).replace(/\/[^/]+$/, "")}/local_otherpool`;
        },
      ],
      [
        "for another app client",
        (p: Record<string, unknown>) => {
          p.client_id = "someone-elses-client";
        },
      ],
      [
        "an id token's token_use",
        (p: Record<string, unknown>) => {
          p.token_use = "id";
        },
      ],
      ["with no subject", (p: Record<string, unknown>) => delete p.sub],
    ])("a token %s → 401 on every staff route", async (_label, change) => {
      const token = await resigned(change);
      for (const [method, path] of ROUTES) {
        await expectError(await call(method, path, bearer(token)), 401, "UNAUTHENTICATED");
        await expectError(
          await call(method, path, { cookie: `${STAFF_COOKIE}=${token}` }),
          401,
          "UNAUTHENTICATED",
        );
      }
    });

    it.each([
      ["no groups claim", (p: Record<string, unknown>) => delete p["cognito:groups"]],
      [
        "an empty group list",
        (p: Record<string, unknown>) => {
          p["cognito:groups"] = [];
        },
      ],
      [
        "only groups that are not staff",
        (p: Record<string, unknown>) => {
          p["cognito:groups"] = ["patients", "Admin", "admins"];
        },
      ],
      [
        "the group as a string, not a list",
        (p: Record<string, unknown>) => {
          p["cognito:groups"] = "admin";
        },
      ],
    ])("a valid token with %s → 403 FORBIDDEN", async (_label, change) => {
      const token = await resigned((p) => {
        p.iat = nowS();
        p.exp = nowS() + 600;
        change(p);
      });
      for (const [method, path] of ROUTES) {
        await expectError(await call(method, path, bearer(token)), 403, "FORBIDDEN");
      }
    });
  });
});
