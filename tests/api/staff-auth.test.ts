import { createHmac } from "node:crypto";
import { InitiateAuthCommand } from "@aws-sdk/client-cognito-identity-provider";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { localCognitoClient } from "../../local/services/cognito-local";
import { TEST_STAFF } from "../support/staff-users";
import { bookingBody, startTestApp, type TestApp } from "../support/test-app";

/**
 * Staff routes: 401 without a genuine pool access token (Bearer or session cookie),
 * 403 for a pool user outside the receptionist and admin groups; sign-in and
 * sign-out through POST/DELETE /api/staff/session.
 */

let app: TestApp;
let receptionist: string;
let admin: string;
let nogroup: string;
let manageToken: string;
let bookingId: string;

const NOW = "2026-11-30T18:00:00Z";
const user = (key: (typeof TEST_STAFF)[number]["key"]) => {
  const u = TEST_STAFF.find((x) => x.key === key);
  if (!u) throw new Error(key);
  return u;
};

beforeAll(async () => {
  app = await startTestApp({ now: NOW });
  [receptionist, admin, nogroup] = await Promise.all([
    app.staffToken("receptionist"),
    app.staffToken("admin"),
    app.staffToken("nogroup"),
  ]);
  const res = await app.request("/api/bookings", {
    method: "POST",
    json: bookingBody({
      start: "2026-12-08T10:00:00-08:00",
      patient: { name: "Auth Probe", email: "auth.probe@example.com" },
    }),
  });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { booking: { id: string }; manageUrl: string };
  bookingId = body.booking.id;
  manageToken = new URL(body.manageUrl).searchParams.get("token") ?? "";
  expect(manageToken).not.toBe("");
});

afterAll(async () => {
  await app?.close();
});

type ErrorBody = { error: { code: string; message: string } };

const LEAK =
  /\n\s*at\s|node_modules|exception|jose|JWS|JWT|signature|alg|kid|jwks|issuer|audience|expired|claim/i;

async function expectError(res: Response, status: number, code: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  expect(res.headers.get("x-request-id")).toBeTruthy();
  expect(text).not.toMatch(LEAK);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error.code).toBe(code);
  return body;
}

/** Every staff route of the contract, with a plausible request for each. */
const ROUTES: { method: string; path: () => string; json?: () => unknown }[] = [
  { method: "GET", path: () => "/api/staff/schedule?date=2026-12-08" },
  {
    method: "POST",
    path: () => "/api/staff/bookings",
    json: () => bookingBody({ start: "2026-12-09T09:00:00-08:00" }),
  },
  { method: "GET", path: () => `/api/staff/bookings/${bookingId}` },
  {
    method: "POST",
    path: () => `/api/staff/bookings/${bookingId}/reschedule`,
    json: () => ({ start: "2026-12-08T11:00:00-08:00" }),
  },
  { method: "POST", path: () => `/api/staff/bookings/${bookingId}/complete` },
  { method: "POST", path: () => `/api/staff/bookings/${bookingId}/no-show` },
  { method: "POST", path: () => `/api/staff/bookings/${bookingId}/cancel` },
  {
    method: "GET",
    path: () => `/api/staff/bookings/${bookingId}/follow-ups`,
  },
  {
    method: "GET",
    path: () => "/api/staff/patients?email=auth.probe%40example.com",
  },
  {
    method: "GET",
    path: () => "/api/staff/audit?from=2026-12-01&to=2026-12-31",
  },
  {
    method: "GET",
    path: () => `/api/staff/bookings/${bookingId}/follow-ups/confirmation/email`,
  },
  { method: "GET", path: () => "/api/staff/aftercare-plan" },
  {
    method: "PUT",
    path: () => "/api/staff/aftercare-plan",
    json: () => ({ steps: [] }),
  },
  // Not a route at all: still no hint of what exists without signing in.
  { method: "GET", path: () => "/api/staff/does-not-exist" },
];

function call(route: (typeof ROUTES)[number], headers: Record<string, string>): Promise<Response> {
  return app.request(route.path(), {
    method: route.method,
    headers,
    ...(route.json ? { json: route.json() } : {}),
  });
}

const label = (r: (typeof ROUTES)[number]) => `${r.method} ${r.path().split("?")[0]}`;

function b64url(s: string | Buffer): string {
  return Buffer.from(s).toString("base64url");
}

/** Flips one character in the middle of the JWT's signature. */
function tamperSignature(jwt: string): string {
  const [h, p, s = ""] = jwt.split(".");
  const i = Math.floor(s.length / 2);
  const flipped = s[i] === "A" ? "B" : "A";
  return `${h}.${p}.${s.slice(0, i)}${flipped}${s.slice(i + 1)}`;
}

function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8"));
}

function withPayload(jwt: string, change: (p: Record<string, unknown>) => void): string {
  const [h, p, s] = jwt.split(".");
  const payload = JSON.parse(Buffer.from(p ?? "", "base64url").toString("utf8"));
  change(payload);
  return `${h}.${b64url(JSON.stringify(payload))}.${s}`;
}

function unsigned(jwt: string, alg = "none"): string {
  const payload = payloadOf(jwt);
  payload["cognito:groups"] = ["admin"];
  return `${b64url(JSON.stringify({ alg, typ: "JWT" }))}.${b64url(JSON.stringify(payload))}.`;
}

function hs256(jwt: string, secret: string): string {
  const header = JSON.parse(Buffer.from(jwt.split(".")[0] ?? "", "base64url").toString("utf8"));
  const h = b64url(JSON.stringify({ ...header, alg: "HS256" }));
  const p = jwt.split(".")[1];
  const sig = createHmac("sha256", secret).update(`${h}.${p}`).digest("base64url");
  return `${h}.${p}.${sig}`;
}

describe("no token → 401 UNAUTHENTICATED on every staff route", () => {
  it.each(ROUTES.map((r) => [label(r), r] as const))("%s", async (_l, route) => {
    await expectError(await call(route, {}), 401, "UNAUTHENTICATED");
  });

  it("authentication comes before validation (a bad body still gets 401)", async () => {
    await expectError(
      await app.request("/api/staff/bookings", { method: "POST", json: { nonsense: true } }),
      401,
      "UNAUTHENTICATED",
    );
    await expectError(
      await app.request("/api/staff/schedule?date=not-a-date"),
      401,
      "UNAUTHENTICATED",
    );
  });
});

describe("bad tokens → 401", () => {
  const bad: [string, () => Record<string, string>][] = [
    ["garbage Bearer", () => ({ authorization: "Bearer garbage" })],
    ["three dots of nothing", () => ({ authorization: "Bearer a.b.c" })],
    ["an empty Bearer", () => ({ authorization: "Bearer " })],
    ["Basic credentials", () => ({ authorization: "Basic ZGVza0BjbGluaWMudGVzdDpwdw==" })],
    ["the token without the Bearer scheme", () => ({ authorization: receptionist })],
    ["a tampered signature", () => ({ authorization: `Bearer ${tamperSignature(admin)}` })],
    [
      "a tampered payload (groups raised to admin)",
      () => ({
        authorization: `Bearer ${withPayload(nogroup, (p) => {
          p["cognito:groups"] = ["admin"];
        })}`,
      }),
    ],
    [
      "a tampered payload (expiry pushed out)",
      () => ({
        authorization: `Bearer ${withPayload(receptionist, (p) => {
          p.exp = 4_102_444_800;
        })}`,
      }),
    ],
    ["alg none", () => ({ authorization: `Bearer ${unsigned(receptionist)}` })],
    ["alg NONE", () => ({ authorization: `Bearer ${unsigned(receptionist, "NONE")}` })],
    [
      "HS256 with a guessed secret (algorithm confusion)",
      () => ({ authorization: `Bearer ${hs256(receptionist, "secret")}` }),
    ],
    ["a manage-link token", () => ({ authorization: `Bearer ${manageToken}` })],
    ["a 5 KB token", () => ({ authorization: `Bearer ${"a".repeat(5_000)}` })],
    ["a garbage cookie", () => ({ cookie: "staff_session=garbage" })],
    ["a tampered cookie", () => ({ cookie: `staff_session=${tamperSignature(receptionist)}` })],
    ["a manage-link token as the cookie", () => ({ cookie: `staff_session=${manageToken}` })],
    [
      "a good cookie under another name",
      () => ({ cookie: `session=${receptionist}; staff_sessionx=${receptionist}` }),
    ],
  ];

  it.each(bad)("%s → 401 on every route", async (_l, headers) => {
    for (const route of ROUTES) {
      await expectError(await call(route, headers()), 401, "UNAUTHENTICATED");
    }
  });

  it("a staff token in the query string is not accepted → 401", async () => {
    await expectError(
      await app.request(`/api/staff/schedule?date=2026-12-08&token=${receptionist}`),
      401,
      "UNAUTHENTICATED",
    );
  });

  it("a garbage Bearer is not rescued by a good cookie", async () => {
    await expectError(
      await app.request("/api/staff/schedule?date=2026-12-08", {
        headers: { authorization: "Bearer garbage", cookie: `staff_session=${receptionist}` },
      }),
      401,
      "UNAUTHENTICATED",
    );
  });

  it("the pool's id token (not an access token) → 401", async () => {
    const pool = inject("staffPool");
    const client = localCognitoClient(inject("cognitoEndpoint"));
    try {
      const u = user("admin");
      const out = await client.send(
        new InitiateAuthCommand({
          AuthFlow: "USER_PASSWORD_AUTH",
          ClientId: pool.clientId,
          AuthParameters: { USERNAME: u.email, PASSWORD: u.password },
        }),
      );
      const idToken = out.AuthenticationResult?.IdToken;
      expect(idToken).toBeTruthy();
      await expectError(
        await app.request("/api/staff/schedule?date=2026-12-08", {
          headers: { authorization: `Bearer ${idToken}` },
        }),
        401,
        "UNAUTHENTICATED",
      );
    } finally {
      client.destroy();
    }
  });

  it("the 401 body is the same whatever was wrong with the token", async () => {
    const bodies = new Set<string>();
    for (const headers of [
      { authorization: "Bearer garbage" },
      { authorization: `Bearer ${tamperSignature(admin)}` },
      { authorization: `Bearer ${unsigned(admin)}` },
      { authorization: `Bearer ${manageToken}` },
    ]) {
      const res = await app.request("/api/staff/schedule?date=2026-12-08", { headers });
      bodies.add(JSON.stringify(await expectError(res, 401, "UNAUTHENTICATED")));
    }
    expect(bodies.size).toBe(1);
  });
});

describe("groups", () => {
  it.each(ROUTES.map((r) => [label(r), r] as const))(
    "a signed-in user with no staff group → 403 FORBIDDEN on %s",
    async (_l, route) => {
      await expectError(
        await call(route, { authorization: `Bearer ${nogroup}` }),
        403,
        "FORBIDDEN",
      );
    },
  );

  it("receptionist and admin pass authentication on every route (no 401/403, never 5xx)", async () => {
    // Read-only and refusing routes first, so the booking stays as it is for both.
    const readOnly = ROUTES.filter(
      (r) => r.method === "GET" || r.path().endsWith("/complete") || r.path().endsWith("/no-show"),
    );
    for (const token of [receptionist, admin]) {
      for (const route of readOnly) {
        const res = await call(route, { authorization: `Bearer ${token}` });
        const text = await res.text();
        expect(
          [401, 403].includes(res.status) || res.status >= 500,
          `${label(route)} → ${res.status} ${text}`,
        ).toBe(false);
        expect(res.headers.get("x-request-id")).toBeTruthy();
      }
    }
  });

  it("receptionist reads the schedule with its patient details", async () => {
    const res = await app.request("/api/staff/schedule?date=2026-12-08", {
      headers: { authorization: `Bearer ${receptionist}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { bookings: { id: string; patient: { email: string } }[] };
    expect(body.bookings.map((b) => b.id)).toEqual([bookingId]);
    expect(body.bookings[0]?.patient.email).toBe("auth.probe@example.com");
  });

  it("the implemented routes succeed for both groups", async () => {
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    // complete and no-show before the session starts → 409 INVALID_STATE, not 401/403.
    for (const token of [receptionist, admin]) {
      for (const action of ["complete", "no-show"]) {
        await expectError(
          await app.request(`/api/staff/bookings/${bookingId}/${action}`, {
            method: "POST",
            headers: as(token),
          }),
          409,
          "INVALID_STATE",
        );
      }
      const one = await app.request(`/api/staff/bookings/${bookingId}`, { headers: as(token) });
      expect(one.status).toBe(200);
      const audit = await app.request("/api/staff/audit?from=2026-12-01&to=2026-12-31", {
        headers: as(token),
      });
      expect(audit.status).toBe(200);
    }
    const byReceptionist = await app.request("/api/staff/bookings", {
      method: "POST",
      json: bookingBody({
        start: "2026-12-09T09:00:00-08:00",
        patient: { name: "Desk Booked", email: "desk.booked@example.com" },
      }),
      headers: as(receptionist),
    });
    expect(byReceptionist.status).toBe(201);
    const byAdmin = await app.request("/api/staff/bookings", {
      method: "POST",
      json: bookingBody({
        start: "2026-12-09T11:00:00-08:00",
        patient: { name: "Boss Booked", email: "boss.booked@example.com" },
      }),
      headers: as(admin),
    });
    expect(byAdmin.status).toBe(201);
    const moved = await app.request(`/api/staff/bookings/${bookingId}/reschedule`, {
      method: "POST",
      json: { start: "2026-12-08T11:00:00-08:00" },
      headers: as(receptionist),
    });
    expect(moved.status).toBe(200);
    const cancelled = await app.request(`/api/staff/bookings/${bookingId}/cancel`, {
      method: "POST",
      headers: as(admin),
    });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { booking: { status: string } }).booking.status).toBe(
      "cancelled",
    );
  });
});

describe("the aftercare plan: staff read it, only an admin saves a new version", () => {
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const put = (token: string, json: unknown) =>
    app.request("/api/staff/aftercare-plan", { method: "PUT", json, headers: as(token) });

  it("a receptionist reads it, and a save is 403 FORBIDDEN before the body is even read", async () => {
    const read = await app.request("/api/staff/aftercare-plan", { headers: as(receptionist) });
    expect(read.status).toBe(200);
    const plan = (await read.json()) as { version: number; steps: unknown[] };
    const refused = await put(receptionist, { steps: plan.steps });
    await expectError(refused, 403, "FORBIDDEN");
    await expectError(await put(receptionist, { steps: [] }), 403, "FORBIDDEN");
    const after = await app.stores.plans.currentPlan(app.deps.bookings.locationId);
    expect(after?.version).toBe(plan.version);
  });

  it("an admin saves it as a new version", async () => {
    const read = await app.request("/api/staff/aftercare-plan", { headers: as(admin) });
    const plan = (await read.json()) as { version: number; steps: unknown[] };
    const saved = await put(admin, { steps: plan.steps });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ version: plan.version + 1 });
    await expectError(await put(admin, { steps: [] }), 422, "VALIDATION");
  });
});

describe("POST /api/staff/session and DELETE /api/staff/session", () => {
  const signIn = (email: string, password: string) =>
    app.request("/api/staff/session", { method: "POST", json: { email, password } });

  it("a wrong password and an unknown user get the same 401, with no hint and no cookie", async () => {
    const desk = user("receptionist");
    const wrongPassword = await signIn(desk.email, `${desk.password}x`);
    const unknownUser = await signIn("nobody@clinic.test", desk.password);
    const emptyish = await signIn(desk.email, " ");
    const bodies: string[] = [];
    for (const res of [wrongPassword, unknownUser, emptyish]) {
      expect(res.headers.get("set-cookie")).toBeNull();
      const body = await expectError(res, 401, "UNAUTHENTICATED");
      expect(body.error.message).not.toMatch(/user|exist|found|password is wrong|unknown/i);
      bodies.push(JSON.stringify(body));
    }
    expect(new Set(bodies).size).toBe(1);
  });

  it("a malformed sign-in body → 422, never a hint", async () => {
    await expectError(
      await app.request("/api/staff/session", { method: "POST", json: { email: "x" } }),
      422,
      "VALIDATION",
    );
    await expectError(
      await app.request("/api/staff/session", {
        method: "POST",
        json: { email: "desk@clinic.test", password: "p", group: "admin" },
      }),
      422,
      "VALIDATION",
    );
  });

  it("success returns a token and sets an HttpOnly, SameSite=Strict cookie that alone authenticates", async () => {
    const desk = user("receptionist");
    const res = await signIn(desk.email, desk.password);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; expiresAt: string };
    expect(body.token.split(".")).toHaveLength(3);
    expect(Number.isNaN(Date.parse(body.expiresAt))).toBe(false);

    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^staff_session=[^;]+/);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=Strict/i);
    expect(setCookie).toMatch(/;\s*Path=\//i);
    const cookie = setCookie.split(";")[0] ?? "";
    expect(cookie).toBe(`staff_session=${body.token}`);

    const schedule = await app.request("/api/staff/schedule?date=2026-12-08", {
      headers: { cookie },
    });
    expect(schedule.status).toBe(200);

    // The same cookie for a user with no group → 403.
    const visitor = user("nogroup");
    const v = await signIn(visitor.email, visitor.password);
    expect(v.status).toBe(200);
    const vCookie = (v.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    await expectError(
      await app.request("/api/staff/schedule?date=2026-12-08", { headers: { cookie: vCookie } }),
      403,
      "FORBIDDEN",
    );
  });

  it("DELETE /api/staff/session clears the cookie", async () => {
    const res = await app.request("/api/staff/session", { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^staff_session=;/);
    expect(setCookie).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    expect(setCookie).toMatch(/;\s*Path=\//i);
    // A browser applying it has no cookie left, so the next call is 401.
    await expectError(
      await app.request("/api/staff/schedule?date=2026-12-08", {
        headers: { cookie: "staff_session=" },
      }),
      401,
      "UNAUTHENTICATED",
    );
  });
});

describe("logs", () => {
  it("hold no patient data, passwords or tokens", () => {
    const logged = JSON.stringify(app.logger.lines);
    for (const secret of [
      "Auth Probe",
      "auth.probe@example.com",
      "Desk Booked",
      "desk.booked@example.com",
      "boss.booked@example.com",
      ...TEST_STAFF.map((u) => u.password),
      receptionist,
      admin,
      manageToken,
    ]) {
      expect(logged).not.toContain(secret);
    }
  });
});
