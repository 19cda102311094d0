import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../../functions/api/app";
import { STATUS } from "../../functions/api/errors";
import { localSesClient } from "../../local/compose";
import { SesRawMailer } from "../../shared/adapters/mail/ses-raw-mailer";
import { escapeHtml } from "../../shared/messages/escape";
import { patientIdFor } from "../../shared/services/bookings";
import { bookingBody, type StoredEmail, startTestApp, type TestApp } from "../support/test-app";

/**
 * Property-based fuzz of every endpoint a caller can reach without a staff token
 * (and of the staff routes with junk credentials), through the real app on
 * DynamoDB Local and aws-ses-v2-local: random and adversarial bodies, headers,
 * query strings and path ids. Every answer is below 500, carries a request id,
 * leaks no stack or internal name, and every JSON error has the contract's shape
 * with a known code matching its status. The emails the fuzzed bookings caused
 * carry no injected header and escape the patient's text in their HTML.
 *
 * The hand-written cases of tests/api/hostile-input.test.ts come first; this is
 * their random complement. To cover a new endpoint, add a row to ROUTES.
 */

const NOW = "2026-11-30T18:00:00Z"; // Monday 10:00 in Los Angeles
const MIN_TOTAL_REQUESTS = 5_000;

let t: TestApp;
let app: ReturnType<typeof createApp>;
/** Every raw email the follow-up sender handed to SES, as bytes (latin1). */
const rawEmails: { to: string; raw: string }[] = [];

interface Ctx {
  readId: string;
  readToken: string;
  moveId: string;
  moveToken: string;
  cancelId: string;
  cancelToken: string;
  rebookToken: string;
  unsubscribeToken: string;
  /** Free starts over the online horizon, so near-valid bookings often succeed. */
  starts: string[];
}
let ctx: Ctx;
/** A browser's CSRF cookie and form token for the pages, so some forms get past the check. */
let pageForm: { cookie: string; token: string };

// ——— what the fuzz saw ———
let total = 0;
const seen = new Map<string, Map<number, number>>();
const created: { id: string; email: string; name: string }[] = [];

function tally(route: string, status: number) {
  total++;
  const byStatus = seen.get(route) ?? new Map<number, number>();
  byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  seen.set(route, byStatus);
}

// ——— the checks every response must pass ———
const KNOWN_CODES = new Set(Object.keys(STATUS));
/** A stack frame, a source path, an AWS or runtime error name, a file system path. */
const LEAK =
  /\n\s+at\s|\bat\s+\S+\s+\(|node_modules|\.[cm]?[jt]sx?:\d+|\b\w*Exception\b|file:\/\/|\/(?:work|home|usr|tmp|var)\/|ECONN|ConditionalCheck|TransactionCancel|ProvisionedThroughput|ZodError/i;
/** An error's own name in its message, as a stack or `String(error)` prints it. */
const ERROR_NAME = /\b(?:[A-Z]\w*)?Error: /;
/** Beyond the reference pages, which describe the system: no backend names either. */
const BACKEND_NAMES = /DynamoDB|Cognito|JWKS|\bjose\b|aws-sdk|\bSES\b/i;

type Req = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
};

async function send(route: string, req: Req) {
  const res = await app.request(req.path, {
    method: req.method,
    headers: req.headers,
    ...(req.body !== undefined && req.method !== "GET" && req.method !== "HEAD"
      ? { body: req.body }
      : {}),
  });
  const text = await res.text();
  tally(route, res.status);
  const where = `${route}: ${req.method} ${req.path.slice(0, 120)} → ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, where).toBeLessThan(500);
  expect(res.headers.get("x-request-id"), where).toBeTruthy();
  expect(text.match(LEAK)?.[0], where).toBeUndefined();
  expect(text.match(ERROR_NAME)?.[0], where).toBeUndefined();
  if (!route.startsWith("GET /docs")) expect(text.match(BACKEND_NAMES)?.[0], where).toBeUndefined();
  const type = res.headers.get("content-type") ?? "";
  if (res.status === 405) {
    // A refused method names the ones the path takes.
    expect(res.headers.get("allow") ?? "", where).toMatch(/^([A-Z]+, )*OPTIONS$/);
  }
  if (res.status >= 300 && res.status < 400) {
    // A redirect stays on this site.
    expect(res.headers.get("location") ?? "", where).toMatch(/^\/(?![/\\])/);
  }
  if (type.startsWith("text/html")) {
    // The pages' only script is the site's own hashed file, so any other was reflected in.
    const foreign = text.replace(
      /<script src="\/assets\/[\w.-]+\.js"( defer(="")?)?><\/script>/g,
      "",
    );
    expect(foreign, where).not.toMatch(/<script|javascript:|onerror=/i);
  }
  if (res.status >= 400) {
    expect(type, where).toMatch(/^(application\/json|text\/html)/);
    if (type.startsWith("application/json") && req.method !== "HEAD") {
      const body = JSON.parse(text) as {
        error: { code: string; message: string; issues?: { path: unknown; message: unknown }[] };
      };
      expect(Object.keys(body), where).toEqual(["error"]);
      expect(KNOWN_CODES.has(body.error.code), where).toBe(true);
      expect(STATUS[body.error.code as keyof typeof STATUS], where).toBe(res.status);
      expect(typeof body.error.message, where).toBe("string");
      if (body.error.code === "VALIDATION") {
        expect(Array.isArray(body.error.issues), where).toBe(true);
        for (const issue of body.error.issues ?? []) {
          expect(typeof issue.path, where).toBe("string");
          expect(typeof issue.message, where).toBe("string");
        }
      }
    }
  }
  return { res, text, where };
}

// ——— generators ———
const hostileStrings = [
  "",
  " ",
  "\r\n",
  "Ana\r\nBcc: victim@example.com",
  "x@example.com\r\nBcc: victim@example.com",
  "\n\nInjected body",
  "\u0000",
  "\u2028\u2029",
  "\u202eevil",
  "\ud800",
  "\udfff\ud800",
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "javascript:alert(1)",
  "\"'><svg onload=alert(1)>",
  "'; DROP TABLE bookings; --",
  '{"$ne":null}',
  "../../etc/passwd",
  "..%2F..%2F",
  "%00",
  "%E0%A4%A",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "NaN",
  "Infinity",
  "-0",
  "1e999",
  "0x10",
  "null",
  "undefined",
  "true",
  "2026-02-30T10:00:00-08:00",
  "2026-12-07T09:00:00-08:00",
  "9999-12-31T23:59:59+14:00",
  "0000-01-01T00:00:00-12:00",
  "2026-12-07",
  "microneedling-face",
  "jules",
  "a@b.co",
  'Zoë "Zed" O\'Neil & Co',
  "😀".repeat(40),
  "é".repeat(3_000),
  "x".repeat(5_000),
  "A".repeat(40_000),
];
const hostile = fc.constantFrom(...hostileStrings);
const text = fc.oneof(
  { weight: 3, arbitrary: hostile },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
);
const oddNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1 + 0.2),
  fc.integer(),
  fc.double(),
);
const scalar = fc.oneof(text, oddNumber, fc.boolean(), fc.constant(null));
/** Any JSON value, with prototype-pollution keys among the object keys. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "status"), fc.string()),
      tie("value"),
      { maxKeys: 4 },
    ),
  ),
})).value;

/** JSON text no serializer would write: pollution keys, odd numbers, deep nesting. */
const rawJson = fc.oneof(
  fc.constantFrom(
    '{"__proto__":{"isAdmin":true,"status":"completed"}}',
    '{"constructor":{"prototype":{"isAdmin":true}}}',
    '{"treatmentId":NaN}',
    '{"start":Infinity}',
    '{"a":1e999}',
    '{"a":-0}',
    '{"a":0x10}',
    '{"a":1,"a":2}',
    "[",
    "{",
    '{"a":"\\ud800"}',
    '{"a":"\\u0000"}',
    "\ufeff{}",
    "null",
    "",
  ),
  fc.integer({ min: 10, max: 3_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
  fc.integer({ min: 10, max: 2_000 }).map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
  fc.string({ maxLength: 100 }),
  fc.string({ unit: "binary", maxLength: 100 }),
);

const printable = fc
  .string({
    unit: fc
      .oneof(
        { weight: 9, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
        { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xff }) },
      )
      .map((c) => String.fromCharCode(c)),
    maxLength: 60,
  })
  .map((s) => s.trim());

/** Headers a browser, a bot or an attacker might send (no CR/LF: fetch refuses those). */
const junkHeaders = fc.record(
  {
    "content-type": fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "APPLICATION/JSON",
      "application/json; charset=utf-16",
      "application/vnd.api+json",
      "application/problem+json",
      "text/plain",
      "text/html",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=xyz",
      "application/xml",
      "*/*",
      "json",
      "",
    ),
    "content-length": fc.constantFrom("0", "1", "-1", "abc", "1e3", "33000", "99999999999", " 12 "),
    "idempotency-key": fc.oneof(
      printable,
      fc.constantFrom("a".repeat(129), "key with spaces", "cl\u00e9", "../x", "*", ""),
      fc.uuid(),
    ),
    authorization: fc.oneof(
      printable.map((s) => `Bearer ${s}`),
      fc.constantFrom(
        "Bearer",
        "Bearer ",
        "Basic YWRtaW46YWRtaW4=",
        "Bearer a.b.c",
        "Bearer v1.manage.x.9999999999.AAAA",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        `Bearer ${"a".repeat(5_000)}`,
      ),
    ),
    cookie: fc.oneof(
      printable,
      printable.map((s) => `staff_session=${s}`),
      fc.constantFrom(
        "staff_session=; staff_session=x",
        "__proto__=1; constructor=2",
        `a=${"b".repeat(4_000)}`,
        "staff_session=eyJhbGciOiJub25lIn0.e30.",
        ";;;==;",
      ),
    ),
    "x-forwarded-for": fc.constantFrom(
      "127.0.0.1",
      "::1, 10.0.0.1",
      "not-an-ip",
      "1.1.1.1".repeat(200),
    ),
    accept: fc.constantFrom("*/*", "text/html", "application/json", "image/png", ""),
    "accept-language": printable,
    "user-agent": printable,
    "x-request-id": printable,
  },
  { requiredKeys: [] },
);

/** encodeURIComponent that also takes lone surrogates (as U+FFFD, like any UTF-8 encoder). */
const enc = (s: string) => encodeURIComponent(Buffer.from(s).toString("utf8"));
/** Percent-encoded, or raw but for the characters that would end the query part. */
const encodeMaybe = (s: string, raw: boolean) =>
  raw ? s.replace(/[#?&/\s%]/g, (c) => enc(c)) : enc(s);

const queryKey = fc.oneof(
  fc.constantFrom(
    "treatmentId",
    "from",
    "to",
    "practitionerId",
    "rebook",
    "token",
    "date",
    "email",
    "__proto__",
    "constructor",
    "x[]",
    "a.b",
    "",
  ),
  text,
);
/** A query string: known and unknown keys, junk values, repeats, broken escapes. */
function queryOf(values: fc.Arbitrary<string>) {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .array(fc.tuple(queryKey, fc.oneof(values, text), fc.boolean()), { maxLength: 6 })
        .map((pairs) =>
          pairs.map(([k, v, raw]) => `${encodeMaybe(k, raw)}=${encodeMaybe(v, raw)}`).join("&"),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom("%", "%%%", "&&&==&=", "a=%ZZ", "=", "?", "a".repeat(8_000)),
    },
  );
}

const pathId = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "..", ".", "%2E%2E", "%00", "a".repeat(65)),
  text.map((s) => enc(s) || "x"),
  fc.string({ unit: fc.constantFrom(..."abcdef0123456789"), minLength: 32, maxLength: 32 }),
);

/** A name that may well pass validation: quotes, ampersands, apostrophes, non-Latin letters. */
const nameArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      "Ana Ruiz",
      `Zoë "Zed" O'Neil & Co`,
      "Jo & Mo",
      "Renée D'Arcy",
      "李小龍",
      "Ōkubo-San",
      'O\'Brien "OB"',
      "&amp; Already",
      "Ann&#39;s",
    ),
  },
  {
    weight: 3,
    arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).map((s) => `${s} & '"`),
  },
  { weight: 2, arbitrary: hostile },
  { weight: 1, arbitrary: text },
);

/** Mostly bookable bodies (unique emails, free starts), some with one field made hostile. */
function bookingBodies(): fc.Arbitrary<string> {
  const good = fc
    .record({
      startIndex: fc.nat(),
      name: nameArb,
      // Mostly fresh addresses; a few from a small pool, so some patients book twice.
      n: fc.oneof(
        { weight: 9, arbitrary: fc.noBias(fc.nat({ max: 1_000_000_000 })) },
        { weight: 1, arbitrary: fc.nat({ max: 20 }) },
      ),
      phone: fc.option(fc.constantFrom("+1 310 555 0100", "555", "\r\n", "+44 20 7946 0000"), {
        nil: undefined,
      }),
      consent: fc.boolean(),
      treatmentId: fc.constantFrom("microneedling-face", "microneedling-face-neck", "led-facial"),
      practitionerId: fc.option(fc.constantFrom("jules", "maya"), { nil: undefined }),
    })
    .map((r) => {
      const body: Record<string, unknown> = bookingBody({
        treatmentId: r.treatmentId,
        start: ctx.starts[r.startIndex % ctx.starts.length],
        patient: {
          name: r.name,
          email: `fz${r.n}@example.com`,
          ...(r.phone ? { phone: r.phone } : {}),
        },
        consent: { aftercareEmails: r.consent },
      });
      if (r.practitionerId) body.practitionerId = r.practitionerId;
      else delete body.practitionerId;
      return body;
    });
  const field = fc.constantFrom(
    "treatmentId",
    "start",
    "practitionerId",
    "patient",
    "consent",
    "override",
    "status",
    "patientId",
    "id",
  );
  const mutated = fc
    .tuple(good, fc.dictionary(field, jsonish, { maxKeys: 2 }))
    .map(([b, replace]) => ({ ...b, ...replace }));
  const patientMutated = fc
    .tuple(good, fc.constantFrom("name", "email", "phone", "patientId"), jsonish)
    .map(([b, key, value]) => ({ ...b, patient: { ...(b.patient as object), [key]: value } }));
  return fc.oneof(
    { weight: 5, arbitrary: good.map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: mutated.map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: patientMutated.map((b) => JSON.stringify(b)) },
    {
      weight: 1,
      arbitrary: good.map((b) =>
        JSON.stringify(b).replace(
          /^\{/,
          '{"__proto__":{"status":"completed","override":{"reason":"pwned pwned"}},',
        ),
      ),
    },
    { weight: 1, arbitrary: jsonish.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: rawJson },
  );
}

const anyBody = fc.oneof(
  jsonish.map((v) => JSON.stringify(v) ?? "null"),
  rawJson,
  fc.constantFrom("List-Unsubscribe=One-Click", "List-Unsubscribe=One-Click&x=1", "a=b&a=c"),
);

/** Headers for a JSON request: mostly plain, sometimes hostile. */
const headersFor = (base: Record<string, string> = {}) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant({ "content-type": "application/json", ...base }) },
    {
      weight: 3,
      arbitrary: junkHeaders.map((h) => ({ "content-type": "application/json", ...base, ...h })),
    },
  );

/** The manage token, a junk one, one of another booking or another purpose. */
const tokenFor = (own: () => string) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(null).map(() => own()) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom("read", "move", "cancel", "rebook", "unsubscribe")
        .map((k) =>
          k === "read"
            ? ctx.readToken
            : k === "move"
              ? ctx.moveToken
              : k === "cancel"
                ? ctx.cancelToken
                : k === "rebook"
                  ? ctx.rebookToken
                  : ctx.unsubscribeToken,
        ),
    },
    { weight: 2, arbitrary: text },
    { weight: 1, arbitrary: fc.constant(null).map(() => `${own()}x`) },
  );

/** What fetch can carry in a header: Latin-1 without controls; the rest percent-encoded. */
const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e\xa0-\xff]/gu, (c) => enc(c));

const withToken = (path: string, token: string, inHeader: boolean, h: Record<string, string>) =>
  inHeader
    ? { path, headers: { ...h, authorization: `Bearer ${headerSafe(token)}` } }
    : { path: `${path}?token=${enc(token)}`, headers: h };

interface FuzzRoute {
  name: string;
  runs: number;
  request: () => fc.Arbitrary<Req>;
  /** Statuses this route may answer (beyond "below 500"). */
  statuses?: number[];
  after?: (r: { res: Response; text: string; req: Req; where: string }) => void;
}

const STAFF_PATHS: [string, string][] = [
  ["GET", "/api/staff/schedule?date=2026-12-07"],
  ["POST", "/api/staff/bookings"],
  ["GET", "/api/staff/bookings/{id}"],
  ["POST", "/api/staff/bookings/{id}/reschedule"],
  ["POST", "/api/staff/bookings/{id}/complete"],
  ["POST", "/api/staff/bookings/{id}/no-show"],
  ["POST", "/api/staff/bookings/{id}/cancel"],
  ["GET", "/api/staff/bookings/{id}/follow-ups"],
  ["GET", "/api/staff/bookings/{id}/follow-ups/confirmation/email"],
  ["GET", "/api/staff/patients?email=fz1%40example.com"],
  ["GET", "/api/staff/audit?from=2026-11-01&to=2026-12-31"],
  ["GET", "/api/staff/aftercare-plan"],
  ["PUT", "/api/staff/aftercare-plan"],
  ["DELETE", "/api/staff/bookings/{id}"],
  ["PATCH", "/api/staff/bookings/{id}"],
  ["GET", "/api/staff/nothing-here"],
];

/** Every public endpoint (and the staff ones without credentials): add a row per new route. */
const ROUTES: FuzzRoute[] = [
  {
    name: "GET /api/treatments",
    runs: 150,
    request: () =>
      fc.tuple(queryOf(text), junkHeaders).map(([q, h]) => ({
        method: "GET",
        path: `/api/treatments${q ? `?${q}` : ""}`,
        headers: h,
      })),
    statuses: [200, 413, 422],
  },
  {
    name: "GET /api/availability",
    runs: 700,
    request: () => {
      const day = (d: Date) => d.toISOString().slice(0, 10);
      const often = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
        fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: bad });
      const date = often(
        fc
          .date({ min: new Date("2026-11-01"), max: new Date("2027-04-01"), noInvalidDate: true })
          .map(day),
        text,
      );
      const sensible = fc
        .record({
          treatmentId: often(fc.constantFrom("microneedling-face", "led-facial", "botox"), text),
          from: date,
          to: date,
          span: fc.integer({ min: -2, max: 70 }),
          practitionerId: fc.option(often(fc.constantFrom("jules", "maya"), text), {
            nil: undefined,
          }),
          rebook: fc.option(
            tokenFor(() => ctx.rebookToken),
            { nil: undefined },
          ),
        })
        .map(({ span, ...q }) => {
          // Mostly a real range from `from`; sometimes the two dates as drawn.
          if (span >= 0 && /^\d{4}-\d{2}-\d{2}$/.test(q.from)) {
            q.to = day(new Date(Date.parse(q.from) + span * 86_400_000));
          }
          return q;
        })
        .map((q) =>
          Object.entries(q)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `${k}=${enc(String(v))}`)
            .join("&"),
        );
      return fc
        .tuple(
          fc.oneof({ weight: 3, arbitrary: sensible }, { weight: 2, arbitrary: queryOf(text) }),
          junkHeaders,
        )
        .map(([q, h]) => ({ method: "GET", path: `/api/availability?${q}`, headers: h }));
    },
    statuses: [200, 413, 422],
    after: ({ res, text: body, where }) => {
      if (res.status !== 200) return;
      const parsed = JSON.parse(body) as { slots: unknown[]; earliestAllowedDate?: string };
      expect(Array.isArray(parsed.slots), where).toBe(true);
    },
  },
  {
    name: "POST /api/bookings",
    runs: 1_300,
    request: () =>
      fc.tuple(bookingBodies(), headersFor(), fc.boolean()).map(([body, h, keyed]) => {
        const headers: Record<string, string> = { ...h };
        if (!keyed) delete headers["idempotency-key"];
        return { method: "POST", path: "/api/bookings", headers, body };
      }),
    statuses: [201, 400, 409, 413, 415, 422, 503],
    after: ({ res, text: body, req, where }) => {
      if (res.status !== 201 || res.headers.get("idempotent-replayed")) return;
      const parsed = JSON.parse(body) as {
        booking: { id: string; status: string };
        manageUrl: string;
      };
      expect(parsed.booking.status, where).toBe("confirmed");
      expect(parsed.manageUrl, where).toMatch(
        /^https:\/\/clinic\.test\/manage\/[A-Za-z0-9_-]+\?token=/,
      );
      // The public answer names no patient.
      const sent = JSON.parse(req.body ?? "{}") as { patient: { name: string; email: string } };
      expect(body, where).not.toContain(sent.patient.email.trim());
      created.push({ id: parsed.booking.id, email: sent.patient.email, name: sent.patient.name });
    },
  },
  {
    name: "GET /api/bookings/:id",
    runs: 500,
    request: () =>
      fc
        .tuple(
          fc.oneof(
            fc.constant(null).map(() => ctx.readId),
            fc.constant(null).map(() => ctx.moveId),
            pathId,
          ),
          tokenFor(() => ctx.readToken),
          fc.boolean(),
          junkHeaders,
          fc.constantFrom("GET", "HEAD", "PATCH", "DELETE", "PUT", "OPTIONS"),
          anyBody,
        )
        .map(([id, token, inHeader, h, method, body]) => ({
          method,
          ...withToken(`/api/bookings/${id}`, token, inHeader, h),
          body,
        })),
    // Another method on a known path: 405 with Allow, or 204 for OPTIONS.
    statuses: [200, 204, 400, 404, 405, 413, 415, 422],
    after: ({ res, text: body, req, where }) => {
      if (res.status === 200 && req.method === "GET") {
        const parsed = JSON.parse(body) as { booking: { id: string } };
        expect([ctx.readId, ctx.moveId], where).toContain(parsed.booking.id);
      }
    },
  },
  {
    name: "POST /api/bookings/:id/reschedule",
    runs: 500,
    request: () => {
      const body = fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .tuple(fc.nat(), fc.option(fc.constantFrom("jules", "maya"), { nil: undefined }))
            .map(([i, p]) =>
              JSON.stringify({
                start: ctx.starts[i % ctx.starts.length],
                ...(p ? { practitionerId: p } : {}),
              }),
            ),
        },
        {
          weight: 2,
          arbitrary: fc
            .dictionary(
              fc.constantFrom("start", "practitionerId", "override", "status", "__proto__"),
              jsonish,
              { maxKeys: 3 },
            )
            .map((d) => JSON.stringify(d)),
        },
        { weight: 1, arbitrary: rawJson },
      );
      return fc
        .tuple(
          fc.oneof(
            { weight: 4, arbitrary: fc.constant(null).map(() => ctx.moveId) },
            { weight: 1, arbitrary: pathId },
          ),
          tokenFor(() => ctx.moveToken),
          fc.boolean(),
          headersFor(),
          body,
        )
        .map(([id, token, inHeader, h, b]) => ({
          method: "POST",
          ...withToken(`/api/bookings/${id}/reschedule`, token, inHeader, h),
          body: b,
        }));
    },
    // A dot-segment id ("/api/bookings/./cancel") resolves to GET /api/bookings/:id: 405.
    statuses: [200, 400, 404, 405, 409, 413, 415, 422, 503],
  },
  {
    name: "POST /api/bookings/:id/cancel",
    runs: 300,
    request: () =>
      fc
        .tuple(
          fc.oneof(
            { weight: 3, arbitrary: fc.constant(null).map(() => ctx.cancelId) },
            { weight: 1, arbitrary: pathId },
          ),
          fc.oneof(
            { weight: 1, arbitrary: fc.constant(null).map(() => ctx.cancelToken) },
            { weight: 6, arbitrary: tokenFor(() => `${ctx.cancelToken}.`) },
          ),
          fc.boolean(),
          junkHeaders,
          fc.option(anyBody, { nil: undefined }),
        )
        .map(([id, token, inHeader, h, body]) => ({
          method: "POST",
          ...withToken(`/api/bookings/${id}/cancel`, token, inHeader, h),
          ...(body !== undefined ? { body } : {}),
        })),
    // A dot-segment id ("/api/bookings/./cancel") resolves to GET /api/bookings/:id: 405.
    statuses: [200, 400, 404, 405, 409, 413, 415, 422, 503],
  },
  ...(["GET /unsubscribe", "POST /unsubscribe", "POST /api/unsubscribe"] as const).map(
    (name): FuzzRoute => ({
      name,
      runs: 200,
      request: () => {
        const [method, path] = name.split(" ") as [string, string];
        return fc
          .tuple(
            fc.oneof(
              {
                weight: 1,
                arbitrary: fc
                  .constant(null)
                  .map(() => `token=${encodeURIComponent(ctx.unsubscribeToken)}`),
              },
              {
                weight: 1,
                arbitrary: tokenFor(() => ctx.unsubscribeToken).map((tk) => `token=${enc(tk)}`),
              },
              { weight: 2, arbitrary: queryOf(text) },
            ),
            junkHeaders,
            anyBody,
          )
          .map(([q, h, body]) => ({ method, path: `${path}?${q}`, headers: h, body }));
      },
      statuses: [200, 400, 404, 413, 415, 422],
    }),
  ),
  {
    name: "GET pages",
    runs: 500,
    request: () =>
      fc
        .tuple(
          fc.oneof(
            fc.constantFrom(
              "/",
              "/book",
              "/book/microneedling-face",
              "/book/led-facial/2026-12-10",
            ),
            text.map((t) => `/book/${enc(t)}`),
            fc
              .tuple(fc.constantFrom("microneedling-face", "nope"), text)
              .map(([tr, d]) => `/book/${tr}/${enc(d)}`),
            fc
              .tuple(
                pathId,
                fc.constantFrom(
                  "",
                  "/reschedule",
                  "/reschedule/2026-12-10",
                  "/cancel",
                  "/calendar.ics",
                ),
              )
              .map(([id, rest]) => `/manage/${id}${rest}`),
            fc.constant(null).map(() => `/manage/${ctx.readId}`),
            fc.constantFrom(
              "/staff",
              "/staff/book",
              "/staff/plan",
              "/staff/sign-in",
              "/staff/bookings/x",
            ),
          ),
          fc.oneof(
            queryOf(text),
            tokenFor(() => ctx.readToken).map((tk) => `token=${enc(tk)}`),
            tokenFor(() => ctx.rebookToken).map(
              (tk) => `rebook=${enc(tk)}&month=${enc(tk.slice(0, 7))}`,
            ),
            text.map((t) => `month=${enc(t)}&next=${enc(t)}&date=${enc(t)}`),
          ),
          junkHeaders,
        )
        .map(([path, q, h]) => ({ method: "GET", path: `${path}?${q}`, headers: h })),
    statuses: [200, 302, 303, 404, 409, 413],
  },
  {
    name: "POST page forms",
    runs: 600,
    request: () => {
      const field = fc.oneof(
        text,
        fc.constant(null).map(() => ctx.starts[7] ?? ""),
      );
      const form = fc
        .dictionary(
          fc.oneof(
            fc.constantFrom(
              "start",
              "name",
              "email",
              "phone",
              "consent",
              "practitionerId",
              "formId",
              "overrideReason",
            ),
            fc.constantFrom("__proto__", "constructor", "_csrf[]", "start[]"),
            fc.string({ maxLength: 8 }),
          ),
          field,
          { maxKeys: 8 },
        )
        .map((d) => new URLSearchParams(Object.entries(d)));
      return fc
        .tuple(
          fc.oneof(
            fc.constantFrom("/book/microneedling-face/2026-12-10", "/book/led-facial/2026-12-11"),
            text.map((t) => `/book/microneedling-face/${enc(t)}`),
            fc
              .constant(null)
              .map(() => `/manage/${ctx.moveId}/reschedule/2026-12-10?token=${enc(ctx.moveToken)}`),
            fc
              .constant(null)
              .map(() => `/manage/${ctx.readId}/cancel?token=${enc(ctx.readToken)}x`),
            fc.constantFrom(
              "/staff/sign-in",
              "/staff/sign-out",
              "/staff/book?treatmentId=led-facial&date=2026-12-10",
            ),
          ),
          form,
          fc.constantFrom("valid", "valid", "none", "forged"),
          fc.constantFrom(
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json",
            "text/plain",
          ),
          junkHeaders,
        )
        .map(([path, body, csrf, type, h]) => {
          if (csrf !== "none")
            body.set("_csrf", csrf === "valid" ? pageForm.token : `${pageForm.token}x`);
          return {
            method: "POST",
            path,
            headers: { ...h, "content-type": type, cookie: pageForm.cookie },
            body: body.toString(),
          };
        });
    },
    statuses: [200, 303, 400, 401, 403, 404, 409, 413, 415, 422],
  },
  {
    name: "GET /docs, /openapi.json, /health",
    runs: 150,
    request: () =>
      fc
        .tuple(
          fc.constantFrom("/docs", "/openapi.json", "/health"),
          queryOf(text),
          junkHeaders,
          fc.constantFrom("GET", "HEAD", "POST", "DELETE"),
        )
        .map(([path, q, h, method]) => ({ method, path: `${path}?${q}`, headers: h, body: "{}" })),
    statuses: [200, 405, 413],
  },
  {
    name: "unknown paths",
    runs: 150,
    request: () =>
      fc
        .tuple(
          fc.constantFrom("/api/", "/api/bookings/x/", "/api/nope/", "/nope/", "/api/unsubscribe/"),
          pathId,
          junkHeaders,
          fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
        )
        .map(([prefix, id, h, method]) => ({
          method,
          path: `${prefix}${id}`,
          headers: h,
          body: "{}",
        })),
    // A dot segment may resolve to a known path that takes another method: 405.
    statuses: [301, 302, 303, 307, 308, 404, 405, 413],
  },
  {
    name: "staff routes without valid credentials",
    runs: 800,
    request: () =>
      fc
        .tuple(fc.constantFrom(...STAFF_PATHS), pathId, junkHeaders, anyBody, fc.boolean())
        .map(([[method, path], id, h, body, withId]) => ({
          method,
          path: path.replace("{id}", withId ? ctx.readId : id),
          headers: h,
          body,
        })),
    statuses: [401, 413],
  },
  {
    name: "POST /api/staff/session and DELETE",
    runs: 150,
    request: () =>
      fc
        .tuple(
          fc.oneof(
            fc
              .record({ email: fc.oneof(fc.emailAddress(), text), password: text })
              .map((b) => JSON.stringify(b)),
            anyBody,
          ),
          headersFor(),
          fc.constantFrom("POST", "POST", "POST", "DELETE"),
        )
        .map(([body, h, method]) => ({ method, path: "/api/staff/session", headers: h, body })),
    statuses: [204, 400, 401, 413, 415, 422],
  },
];

beforeAll(async () => {
  const real = new SesRawMailer(localSesClient(inject("sesEndpoint"), { maxAttempts: 1 }));
  t = await startTestApp({
    now: NOW,
    rawMailer: {
      sendRaw: async (m) => {
        rawEmails.push({ to: m.to, raw: Buffer.from(m.raw).toString("latin1") });
        return real.sendRaw(m);
      },
    },
  });
  app = createApp(t.deps);
  const book = async (start: string, who: string) => {
    const res = await t.request("/api/bookings", {
      method: "POST",
      json: bookingBody({
        start,
        patient: { name: `${who} Fuzz`, email: `${who}.fuzz@example.com` },
      }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { booking: { id: string }; manageUrl: string };
    return { id: body.booking.id, token: new URL(body.manageUrl).searchParams.get("token") ?? "" };
  };
  const read = await book("2026-12-07T09:00:00-08:00", "reader");
  const move = await book("2026-12-08T09:00:00-08:00", "mover");
  const cancel = await book("2026-12-09T09:00:00-08:00", "canceller");
  const patientId = patientIdFor(t.deps.bookings.locationId, "reader.fuzz@example.com");
  const future = new Date(Date.parse(NOW) + 60 * 86_400_000);
  const starts: string[] = [];
  for (const [from, to] of [
    ["2026-12-01", "2027-01-31"],
    ["2027-02-01", "2027-02-27"],
  ]) {
    const res = await t.request(
      `/api/availability?treatmentId=microneedling-face&from=${from}&to=${to}`,
    );
    const { slots } = (await res.json()) as { slots: { start: string }[] };
    starts.push(...slots.map((s) => s.start));
  }
  expect(starts.length).toBeGreaterThan(500);
  ctx = {
    readId: read.id,
    readToken: read.token,
    moveId: move.id,
    moveToken: move.token,
    cancelId: cancel.id,
    cancelToken: cancel.token,
    rebookToken: t.deps.tokens.sign("rebook", patientId, future),
    unsubscribeToken: t.deps.tokens.sign("unsubscribe", patientId, future),
    starts,
  };
});

beforeAll(async () => {
  const res = await t.request("/book/microneedling-face/2026-12-10");
  const cookie = /csrf=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1];
  if (!cookie || !token) throw new Error("no CSRF form session from the booking page");
  pageForm = { cookie: `csrf=${cookie}`, token };
});

afterAll(async () => {
  await t?.close();
});

describe("fuzz: every public endpoint, random and hostile requests", () => {
  it("plans at least 5,000 requests", () => {
    expect(ROUTES.reduce((n, r) => n + r.runs, 0)).toBeGreaterThanOrEqual(MIN_TOTAL_REQUESTS);
  });

  for (const [i, route] of ROUTES.entries()) {
    it(`${route.name}: ${route.runs} requests, never 5xx, no leak, contract-shaped errors`, async () => {
      await fc.assert(
        fc.asyncProperty(route.request(), async (req) => {
          const r = await send(route.name, req);
          if (route.statuses) expect(route.statuses, r.where).toContain(r.res.status);
          route.after?.({ ...r, req });
        }),
        { numRuns: route.runs, seed: 20_261_130 + i, endOnFailure: true },
      );
    }, 240_000);
  }

  it(`sent at least ${MIN_TOTAL_REQUESTS} requests, and bookings were made`, () => {
    const summary = [...seen].map(
      ([route, byStatus]) =>
        `${route}: ${[...byStatus]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}×${n}`)
          .join(" ")}`,
    );
    console.info(`fuzz: ${total} requests, ${created.length} bookings\n${summary.join("\n")}`);
    expect(total).toBeGreaterThanOrEqual(MIN_TOTAL_REQUESTS);
    expect(created.length).toBeGreaterThan(50);
  });

  it("the staff side saw nothing but 401s: no junk credential got through", () => {
    const staff = seen.get("staff routes without valid credentials");
    expect([...(staff?.keys() ?? [])].filter((s) => s !== 401 && s !== 413)).toEqual([]);
  });
});

describe("the emails the fuzzed bookings caused", () => {
  let store: StoredEmail[] = [];
  const ours = new Set<string>();

  beforeAll(async () => {
    // Send every confirmation due now (the local Scheduler stand-in).
    await t.runFollowUps(NOW);
    for (const b of created) ours.add(b.email.trim().toLowerCase());
    const res = await fetch(`${inject("sesEndpoint")}/store`);
    store = ((await res.json()) as { emails: StoredEmail[] }).emails.filter((e) =>
      e.destination.to.some((to) =>
        ours.has(to.replace(/^.*</, "").replace(/>.*$/, "").toLowerCase()),
      ),
    );
  }, 240_000);

  it("each new booking got one confirmation, and SES got exactly the raw messages we built", () => {
    const confirmations = rawEmails.filter((m) => ours.has(m.to.toLowerCase()));
    expect(confirmations.length).toBe(created.length);
    expect(new Set(confirmations.map((m) => m.to.toLowerCase())).size).toBe(ours.size);
  });

  it("no header injection: every header is one clean line, one To, no Cc/Bcc, the right recipient", () => {
    expect(rawEmails.length).toBeGreaterThan(50);
    for (const { to, raw } of rawEmails) {
      const head = raw.slice(0, raw.indexOf("\r\n\r\n"));
      expect(head.length).toBeGreaterThan(0);
      const names: string[] = [];
      for (const line of head.split("\r\n")) {
        expect(line, "a bare CR or LF inside a header line").not.toMatch(/[\r\n]/);
        if (/^[ \t]/.test(line)) continue; // a folded continuation of the header above
        const m = line.match(/^([A-Za-z0-9-]+):\s?/);
        expect(m, line).not.toBeNull();
        names.push((m?.[1] ?? "").toLowerCase());
      }
      expect(names.filter((n) => n === "to")).toHaveLength(1);
      expect(names.filter((n) => n === "from")).toHaveLength(1);
      expect(names.filter((n) => n === "subject")).toHaveLength(1);
      expect(names).not.toContain("bcc");
      expect(names).not.toContain("cc");
      // Replies go to the clinic's own address, never to one a patient typed.
      expect(names.filter((n) => n === "reply-to")).toHaveLength(1);
      expect(head).toMatch(/^Reply-To: hello@faceofjules\.test$/im);
      const toLine = head.match(/^To: (.*)$/im)?.[1] ?? "";
      expect(toLine.toLowerCase()).toContain(to.toLowerCase());
      expect(head).not.toMatch(/victim@example\.com|Injected body/i);
    }
  });

  it("SES saw one recipient per email, and no Cc, Bcc or Reply-To", () => {
    expect(store.length).toBeGreaterThanOrEqual(created.length);
    for (const e of store) {
      expect(e.destination.to).toHaveLength(1);
      expect((e.destination as { cc?: string[] }).cc ?? []).toEqual([]);
      expect((e.destination as { bcc?: string[] }).bcc ?? []).toEqual([]);
      expect(e.subject).not.toMatch(/[\r\n]/);
    }
  });

  it("the patient's name is HTML-escaped in every HTML part, and never raw where it has markup characters", () => {
    // A confirmation greets by the name its booking was made with; a refusal by the
    // name on record (the address's first booking): either way, one of these.
    const namesOf = new Map<string, string[]>();
    for (const b of created) {
      const key = b.email.trim().toLowerCase();
      namesOf.set(key, [...(namesOf.get(key) ?? []), Buffer.from(b.name.trim()).toString("utf8")]);
    }
    let checked = 0;
    let special = 0;
    for (const e of store) {
      const address = (e.destination.to[0] ?? "")
        .replace(/^.*</, "")
        .replace(/>.*$/, "")
        .toLowerCase();
      const names = namesOf.get(address);
      const html = e.body.html ?? "";
      if (!names || !html) continue;
      const where = `${address}: ${names.join(" | ")}`;
      expect(
        names.some((n) => html.includes(escapeHtml(n))),
        where,
      ).toBe(true);
      for (const name of names.filter((n) => /[&"'<>]/.test(n))) {
        special++;
        expect(html.split(escapeHtml(name)).join(""), where).not.toContain(name);
      }
      expect(html).not.toMatch(/<script|onerror=|javascript:/i);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
    expect(special).toBeGreaterThan(10);
  });
});
