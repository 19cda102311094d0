import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, MAX_BODY_BYTES } from "../../functions/api/app";
import { rateLimitFromEnv } from "../../functions/api/rate-limit";
import { bookingBody, startTestApp, type TestApp } from "../support/test-app";

/**
 * Abuse limits: every public write refuses a body over 32 KiB (413); the local
 * server limits public writes per client address (429 RATE_LIMITED with
 * Retry-After); one email may hold at most the clinic's number of upcoming
 * sessions (409 TOO_MANY_FUTURE_BOOKINGS, revealing nothing else), which staff may
 * exceed with an audited reason, and which holds under concurrent bookings.
 */

let app: TestApp;
let staff: { authorization: string };
let manage: { id: string; token: string };

const NOW = "2026-11-30T18:00:00Z"; // Monday 10:00 in Los Angeles

beforeAll(async () => {
  app = await startTestApp({ now: NOW });
  staff = { authorization: `Bearer ${await app.staffToken("receptionist")}` };
  const res = await app.request("/api/bookings", {
    method: "POST",
    json: bookingBody({
      start: "2026-12-10T10:00:00-08:00",
      patient: { name: "Limit Target", email: "limit.target@example.com" },
    }),
  });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { booking: { id: string }; manageUrl: string };
  manage = {
    id: body.booking.id,
    token: new URL(body.manageUrl).searchParams.get("token") ?? "",
  };
});

afterAll(async () => {
  await app?.close();
});

type ErrorBody = { error: Record<string, unknown> & { code: string; message: string } };

async function expectError(res: Response, status: number, code: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  expect(res.headers.get("x-request-id")).toBeTruthy();
  const body = JSON.parse(text) as ErrorBody;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  return body.error;
}

describe("body size on every public write", () => {
  type Write = { method: string; path: () => string; contentType: string };
  /** Public writes outside the OpenAPI document (server-rendered forms). */
  const PAGE_WRITES: Write[] = [
    {
      method: "POST",
      path: () => "/unsubscribe?token=x",
      contentType: "application/x-www-form-urlencoded",
    },
  ];
  let writes: Write[] = [];

  beforeAll(async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    const fromDoc: Write[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!["post", "put", "patch", "delete"].includes(method)) continue;
        // Public operations, and staff sign-in (it needs no token either).
        if (!op.tags?.includes("Public") && path !== "/api/staff/session") continue;
        const concrete = path.replace("{id}", manage.id);
        fromDoc.push({
          method: method.toUpperCase(),
          path: () =>
            concrete.startsWith("/api/bookings/") || concrete === "/api/unsubscribe"
              ? `${concrete}?token=${encodeURIComponent(manage.token)}`
              : concrete,
          contentType: "application/json",
        });
      }
    }
    writes = [...fromDoc, ...PAGE_WRITES];
  });

  it("the list covers the booking, manage, unsubscribe and sign-in writes", () => {
    const listed = writes.map((w) => `${w.method} ${w.path().split("?")[0]}`);
    for (const expected of [
      "POST /api/bookings",
      `POST /api/bookings/${manage.id}/reschedule`,
      `POST /api/bookings/${manage.id}/cancel`,
      "POST /api/unsubscribe",
      "POST /api/staff/session",
      "POST /unsubscribe",
    ]) {
      expect(listed).toContain(expected);
    }
  });

  it("one byte over 32 KiB → 413 PAYLOAD_TOO_LARGE on each, and nothing changes", async () => {
    const over = `{"pad":"${"x".repeat(MAX_BODY_BYTES - 9)}"}`;
    expect(Buffer.byteLength(over)).toBe(MAX_BODY_BYTES + 1);
    for (const w of writes) {
      const res = await app.request(w.path(), {
        method: w.method,
        body: over,
        headers: { "content-type": w.contentType },
      });
      await expectError(res, 413, "PAYLOAD_TOO_LARGE");
    }
    const read = await app.request(`/api/bookings/${manage.id}?token=${manage.token}`);
    expect(((await read.json()) as { booking: { status: string } }).booking.status).toBe(
      "confirmed",
    );
  });

  it("exactly 32 KiB passes the size check on each (answered, but not 413)", async () => {
    const at = `{"pad":"${"x".repeat(MAX_BODY_BYTES - 10)}"}`;
    expect(Buffer.byteLength(at)).toBe(MAX_BODY_BYTES);
    for (const w of writes) {
      const res = await app.request(w.path(), {
        method: w.method,
        body: at,
        headers: { "content-type": w.contentType },
      });
      await res.text();
      expect(res.status, `${w.method} ${w.path()}`).not.toBe(413);
      expect(res.status, `${w.method} ${w.path()}`).toBeLessThan(500);
    }
  });
});

describe("rate limit on public writes", () => {
  let server: ReturnType<typeof serve>;
  let base: string;
  let nowMs = Date.parse(NOW);
  /** A booking of its own: the size checks above may have cancelled the first one. */
  let target: { id: string; token: string };

  beforeAll(async () => {
    const booked = await app.request("/api/bookings", {
      method: "POST",
      json: bookingBody({
        start: "2026-12-11T10:00:00-08:00",
        patient: { name: "Rate Target", email: "rate.target@example.com" },
      }),
    });
    expect(booked.status).toBe(201);
    const body = (await booked.json()) as { booking: { id: string }; manageUrl: string };
    target = {
      id: body.booking.id,
      token: new URL(body.manageUrl).searchParams.get("token") ?? "",
    };
    const limited = createApp({
      ...app.deps,
      rateLimit: { perMinute: 3, now: () => nowMs },
    });
    server = serve({ fetch: limited.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (path: string, json: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(json),
    });

  it("3 writes per minute per address; the 4th → 429 RATE_LIMITED with Retry-After, and books nothing", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await post("/api/bookings", { nonsense: i });
      await expectError(res, 422, "VALIDATION");
    }
    // A perfectly good booking, refused before it reaches the booking code.
    const limited = await post(
      "/api/bookings",
      bookingBody({
        start: "2026-12-14T09:00:00-08:00",
        patient: { name: "Rate Limited", email: "rate.limited@example.com" },
      }),
    );
    expect(limited.headers.get("retry-after")).toBe("20");
    const error = await expectError(limited, 429, "RATE_LIMITED");
    expect(error.retryAfterSeconds).toBe(20);
    expect(error.message).not.toMatch(/127\.0\.0\.1|::1|bucket|token/i);
    expect(await app.schedule("2026-12-14")).toEqual([]);
  });

  it("every kind of public write shares the bucket: manage, unsubscribe, sign-in, forms", async () => {
    for (const [path, init] of [
      [`/api/bookings/${target.id}/cancel?token=${target.token}`, { method: "POST" }],
      [`/api/bookings/${target.id}/reschedule?token=${target.token}`, { method: "POST" }],
      ["/api/unsubscribe?token=x", { method: "POST" }],
      ["/unsubscribe?token=x", { method: "POST" }],
      ["/api/staff/session", { method: "POST" }],
      ["/api/bookings", { method: "PATCH" }],
      ["/api/bookings", { method: "DELETE" }],
    ] as const) {
      await expectError(await fetch(`${base}${path}`, init), 429, "RATE_LIMITED");
    }
    // The booking the cancel aimed at is untouched.
    const read = await fetch(`${base}/api/bookings/${target.id}?token=${target.token}`);
    expect(((await read.json()) as { booking: { status: string } }).booking.status).toBe(
      "confirmed",
    );
  });

  it("a browser's form gets a page, the console's sign-in is limited, its signed-in forms are not", async () => {
    const page = await fetch(`${base}/book/microneedling-face/2026-12-14`, {
      method: "POST",
      headers: {
        accept: "text/html,application/xhtml+xml",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "name=x",
    });
    expect(page.status).toBe(429);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("<h1>Too many tries</h1>");
    const signIn = await fetch(`${base}/staff/sign-in`, {
      method: "POST",
      headers: { accept: "text/html" },
    });
    expect(signIn.status).toBe(429);
    await signIn.text();
    // Console forms are staff work: past the limiter, the console's own checks answer.
    const desk = await fetch(`${base}/staff/bookings/${target.id}/cancel`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(desk.status).toBe(303);
    expect(desk.headers.get("location")).toContain("/staff/sign-in");
  });

  it("reads are never limited, and neither are signed-in staff routes", async () => {
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${base}/api/treatments`);
      expect(res.status).toBe(200);
      await res.text();
    }
    const staffWrite = await post(
      "/api/staff/bookings",
      bookingBody({
        start: "2026-12-14T09:00:00-08:00",
        patient: { name: "Desk Limited", email: "desk.limited@example.com" },
      }),
      staff,
    );
    expect(staffWrite.status, await staffWrite.clone().text()).toBe(201);
  });

  it("a forged X-Forwarded-For does not buy a fresh bucket", async () => {
    await expectError(
      await post("/api/bookings", {}, { "x-forwarded-for": "203.0.113.9", "x-real-ip": "1.2.3.4" }),
      429,
      "RATE_LIMITED",
    );
  });

  it("tokens come back evenly: one per 20 s at 3 per minute, at most 3 saved up", async () => {
    nowMs += 19_000;
    const early = await post("/api/bookings", {});
    expect(Number(early.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    await expectError(early, 429, "RATE_LIMITED");
    nowMs += 20_000;
    await expectError(await post("/api/bookings", {}), 422, "VALIDATION");
    await expectError(await post("/api/bookings", {}), 429, "RATE_LIMITED");
    nowMs += 10 * 60_000; // a long quiet spell still saves up only 3
    for (let i = 0; i < 3; i++)
      await expectError(await post("/api/bookings", {}), 422, "VALIDATION");
    await expectError(await post("/api/bookings", {}), 429, "RATE_LIMITED");
  });

  it("clients are counted apart (keyed by address)", async () => {
    const keyed = createApp({
      ...app.deps,
      rateLimit: {
        perMinute: 1,
        now: () => nowMs,
        clientKey: (c) => c.req.header("x-test-client") ?? "none",
      },
    });
    const as = (client: string) =>
      keyed.request("/api/bookings", {
        method: "POST",
        headers: { "content-type": "application/json", "x-test-client": client },
        body: "{}",
      });
    await expectError(await as("a"), 422, "VALIDATION");
    await expectError(await as("a"), 429, "RATE_LIMITED");
    await expectError(await as("b"), 422, "VALIDATION");
    await expectError(await as("b"), 429, "RATE_LIMITED");
  });

  it("off unless configured: the app without the option (as on Lambda) never answers 429", async () => {
    const open = createApp(app.deps);
    for (let i = 0; i < 40; i++) {
      const res = await open.request("/api/bookings", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(res.status).toBe(422);
    }
  });

  it("RATE_LIMIT_PER_MINUTE: default 30, a number, or 0/off; junk fails loudly", () => {
    expect(rateLimitFromEnv(undefined)).toEqual({ perMinute: 30 });
    expect(rateLimitFromEnv("")).toEqual({ perMinute: 30 });
    expect(rateLimitFromEnv("120")).toEqual({ perMinute: 120 });
    expect(rateLimitFromEnv("0")).toBeUndefined();
    expect(rateLimitFromEnv("off")).toBeUndefined();
    expect(() => rateLimitFromEnv("lots")).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => rateLimitFromEnv("-5")).toThrow(/RATE_LIMIT_PER_MINUTE/);
  });
});

describe("upcoming sessions per email (clinic cap: 4)", () => {
  const led = (start: string, email: string, extra: Record<string, unknown> = {}) =>
    bookingBody({
      treatmentId: "led-facial",
      start,
      patient: { name: "Cap Holder", email },
      ...extra,
    });
  const publicBook = (json: unknown, headers: Record<string, string> = {}) =>
    app.request("/api/bookings", { method: "POST", json, headers });
  const staffBook = (json: unknown) =>
    app.request("/api/staff/bookings", { method: "POST", json, headers: staff });

  const FOUR = [
    "2026-12-02T09:00:00-08:00",
    "2026-12-03T09:00:00-08:00",
    "2026-12-04T09:00:00-08:00",
    "2026-12-07T09:00:00-08:00",
  ];
  const held: { id: string; token: string }[] = [];

  it("an email holds up to 4 upcoming sessions; the 5th → 409 TOO_MANY_FUTURE_BOOKINGS", async () => {
    for (const start of FOUR) {
      const res = await publicBook(led(start, "cap.one@example.com"));
      expect(res.status, await res.clone().text()).toBe(201);
      const body = (await res.json()) as { booking: { id: string }; manageUrl: string };
      held.push({
        id: body.booking.id,
        token: new URL(body.manageUrl).searchParams.get("token") ?? "",
      });
    }
    const fifth = await publicBook(led("2026-12-08T09:00:00-08:00", "cap.one@example.com"));
    const error = await expectError(fifth, 409, "TOO_MANY_FUTURE_BOOKINGS");
    // Nothing but the fact: no count, no dates, no ids.
    expect(Object.keys(error).sort()).toEqual(["code", "message"]);
    expect(error.message).toMatch(/maximum number of upcoming sessions/);
    // No figures (how many it holds), only the clinic's number to call.
    expect(error.message).toContain("please call Face of Jules on +1 323 555 0100");
    expect(error.message.replace("+1 323 555 0100", "")).not.toMatch(/\d/);
    expect(await app.schedule("2026-12-08")).toEqual([]);
  });

  it("the same address in other case or with spaces is the same patient", async () => {
    for (const email of ["CAP.ONE@EXAMPLE.COM", "  Cap.One@Example.com "]) {
      await expectError(
        await publicBook(led("2026-12-08T10:00:00-08:00", email)),
        409,
        "TOO_MANY_FUTURE_BOOKINGS",
      );
    }
    expect(await app.schedule("2026-12-08")).toEqual([]);
  });

  it("another email is not affected", async () => {
    const res = await publicBook(led("2026-12-08T09:00:00-08:00", "cap.other@example.com"));
    expect(res.status).toBe(201);
  });

  it("an idempotent replay of an earlier booking still answers its 201", async () => {
    const email = "cap.replay@example.com";
    const key = { "idempotency-key": "cap-replay-1" };
    const first = await publicBook(led("2026-12-09T09:00:00-08:00", email), key);
    expect(first.status).toBe(201);
    for (const start of FOUR.slice(0, 3)) {
      const res = await publicBook(led(start.replace("09:00", "12:00"), email));
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const replay = await publicBook(led("2026-12-09T09:00:00-08:00", email), key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(await replay.json()).toEqual(await first.json());
  });

  it("cancelling one frees a place", async () => {
    const [first] = held;
    if (!first) throw new Error("no booking held");
    const cancelled = await app.request(`/api/bookings/${first.id}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${first.token}` },
    });
    expect(cancelled.status).toBe(200);
    const again = await publicBook(led("2026-12-08T11:00:00-08:00", "cap.one@example.com"));
    expect(again.status, await again.clone().text()).toBe(201);
    await expectError(
      await publicBook(led("2026-12-08T13:00:00-08:00", "cap.one@example.com")),
      409,
      "TOO_MANY_FUTURE_BOOKINGS",
    );
  });

  it("staff without a reason are refused with the figures; with a reason they may exceed it, audited", async () => {
    const refused = await expectError(
      await staffBook(led("2026-12-09T13:00:00-08:00", "cap.one@example.com")),
      409,
      "TOO_MANY_FUTURE_BOOKINGS",
    );
    expect(refused).toMatchObject({ upcomingSessions: 4, maxFutureBookings: 4 });

    const reason = "Course of LED facials prescribed before the wedding";
    const res = await staffBook(
      led("2026-12-09T13:00:00-08:00", "cap.one@example.com", { override: { reason } }),
    );
    const text = await res.text();
    expect(res.status, text).toBe(201);
    const { booking } = JSON.parse(text) as { booking: { id: string } };
    const audit = await app.request("/api/staff/audit?from=2026-11-30&to=2026-11-30", {
      headers: staff,
    });
    const { entries } = (await audit.json()) as {
      entries: { action: string; bookingId: string; reason: string }[];
    };
    expect(entries.filter((e) => e.bookingId === booking.id)).toEqual([
      expect.objectContaining({ action: "booking-cap-override", bookingId: booking.id, reason }),
    ]);
    // Online, the patient is still over the cap.
    await expectError(
      await publicBook(led("2026-12-10T13:00:00-08:00", "cap.one@example.com")),
      409,
      "TOO_MANY_FUTURE_BOOKINGS",
    );
  });

  it("past sessions do not count: once the days pass, the patient may book again", async () => {
    // 2026-12-05 (Sat) 18:00: Dec 2, 3, 4 are past; Dec 7, 8, 9 upcoming (3 held).
    app.clock.set("2026-12-06T02:00:00Z");
    try {
      const res = await publicBook(led("2026-12-14T14:00:00-08:00", "cap.one@example.com"));
      expect(res.status, await res.clone().text()).toBe(201);
      await expectError(
        await publicBook(led("2026-12-14T16:00:00-08:00", "cap.one@example.com")),
        409,
        "TOO_MANY_FUTURE_BOOKINGS",
      );
    } finally {
      app.clock.set(NOW);
    }
  });

  it("holds under a race: 3 held, 6 concurrent bookings of free slots → exactly one 201", async () => {
    const email = "cap.race@example.com";
    for (const start of FOUR.slice(0, 3)) {
      const res = await publicBook(led(start.replace("09:00", "15:00"), email));
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const starts = [
      "2026-12-15T09:00:00-08:00",
      "2026-12-15T10:00:00-08:00",
      "2026-12-15T11:00:00-08:00",
      "2026-12-15T12:00:00-08:00",
      "2026-12-15T13:00:00-08:00",
      "2026-12-15T14:00:00-08:00",
    ];
    const results = await Promise.all(
      starts.map(async (start) => {
        const res = await publicBook(led(start, email, { practitionerId: "jules" }));
        const body = (await res.json()) as ErrorBody;
        return res.status === 201 ? "201" : `${res.status} ${body.error.code}`;
      }),
    );
    expect(results.filter((r) => r === "201")).toHaveLength(1);
    expect(results.filter((r) => r === "409 TOO_MANY_FUTURE_BOOKINGS")).toHaveLength(5);
    const day = await app.schedule("2026-12-15");
    expect(day).toHaveLength(1);
    const patient = await app.request(`/api/staff/patients?email=${encodeURIComponent(email)}`, {
      headers: staff,
    });
    const { patient: record } = (await patient.json()) as {
      patient: { sessions: { status: string }[] };
    };
    expect(record.sessions.filter((s) => s.status === "confirmed")).toHaveLength(4);
  });
});
