import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../../functions/api/app";
import { patientIdFor } from "../../shared/services/bookings";
import { bookingBody, startTestApp, type TestApp } from "../support/test-app";

/**
 * The served /openapi.json against the real server, read by third-party checkers:
 * swagger-parser validates the document, and Ajv (JSON Schema 2020-12, formats)
 * checks real requests and their answers against it. For every operation the
 * document lists, at least one request that succeeds and one that is refused:
 * the request (path, query, headers, body) must be one the document allows when
 * the server accepts it, and one it refuses when the server refuses its shape;
 * every answer's status must be listed for the operation and its body must match
 * the listed schema, with no field the schema does not name. Then every operation
 * is sent the hostile requests its shape invites (bad JSON, another media type,
 * too large, a bad parameter, no credentials): each answer must be documented too.
 * An operation added to the document without a case here fails the last test.
 */

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema: Schema;
}
interface Operation {
  operationId: string;
  method: string;
  path: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}

interface Call {
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A JSON body, sent as application/json. */
  json?: unknown;
  /** A raw body with its own content type. */
  raw?: { body: string; type: string };
  /** The staff user whose token goes in the Authorization header. */
  as?: "receptionist" | "admin";
}

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  /** What the document says about the request: [] when it allows it. */
  requestProblems: string[];
}

const NOW = "2026-11-30T18:00:00Z"; // Monday 10:00 in Los Angeles
const METHODS = ["get", "put", "post", "delete", "patch", "options", "head"];

let app: TestApp;
let served: any;
const operations = new Map<string, Operation>();
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
// Annotations OpenAPI adds to JSON Schema.
ajv.addVocabulary(["example", "discriminator", "xml", "externalDocs"]);

/** What each operation was seen to answer: "success" (2xx) and "error" (4xx). */
const seen = new Map<string, Set<"success" | "error">>();
/** Operations that had a hand-written case succeed (not only the hostile sweep). */
const exercised = new Set<string>();

beforeAll(async () => {
  app = await startTestApp({ now: NOW });
  const res = await app.request("/openapi.json");
  expect(res.status).toBe(200);
  served = await res.json();
  const deref = (await SwaggerParser.dereference(structuredClone(served))) as any;
  for (const [path, item] of Object.entries<Record<string, any>>(deref.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) operations.set(op.operationId, { ...op, method, path });
    }
  }
});
afterAll(() => app?.close());

/**
 * A copy of a response schema in which every object names all its fields: the
 * document must list what the server sends (an `allOf` is closed as a whole).
 */
function closed(schema: unknown, closeSelf = true): unknown {
  if (Array.isArray(schema)) return schema.map((s) => closed(s));
  if (!schema || typeof schema !== "object") return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) {
    if (k === "properties") {
      out[k] = Object.fromEntries(
        Object.entries(v as Schema).map(([name, s]) => [name, closed(s)]),
      );
    } else if (k === "allOf") {
      out[k] = (v as unknown[]).map((s) => closed(s, false));
    } else if (["items", "anyOf", "oneOf", "additionalProperties"].includes(k)) {
      out[k] = closed(v);
    } else {
      out[k] = v;
    }
  }
  if (out.allOf) out.type ??= "object";
  const isObject = out.type === "object" || out.properties !== undefined;
  if (closeSelf && isObject && !("additionalProperties" in out)) {
    out.unevaluatedProperties = false;
  }
  return out;
}

const validators = new Map<unknown, ValidateFunction>();
function check(schema: unknown, value: unknown, where: string, close = false): string[] {
  const key = close ? `closed:${JSON.stringify(schema)}` : schema;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile((close ? closed(schema) : schema) as Schema);
    validators.set(key, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) =>
    `${where}${e.instancePath} ${e.message} ${e.params ? JSON.stringify(e.params) : ""}`.trim(),
  );
}

/** What the document says of a request: [] if it allows it. */
function requestProblems(op: Operation, call: Call, headers: Record<string, string>): string[] {
  const problems: string[] = [];
  const given = {
    path: call.params ?? {},
    query: call.query ?? {},
    header: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const declared = op.parameters ?? [];
  for (const p of declared) {
    if (p.in === "cookie") continue;
    const value = given[p.in][p.in === "header" ? p.name.toLowerCase() : p.name];
    if (value === undefined) {
      if (p.required) problems.push(`${p.in} ${p.name} is required`);
      continue;
    }
    problems.push(...check(p.schema, value, `${p.in} ${p.name}`));
  }
  for (const name of Object.keys(given.query)) {
    if (!declared.some((p) => p.in === "query" && p.name === name)) {
      problems.push(`query ${name} is not a parameter of ${op.operationId}`);
    }
  }
  const media = op.requestBody?.content;
  if (call.json !== undefined || call.raw) {
    const type = call.raw?.type ?? "application/json";
    const declaredType = Object.keys(media ?? {}).find((m) => type.startsWith(m));
    if (!media || !declaredType) {
      problems.push(`no ${type} body in ${op.operationId}`);
    } else if (type.startsWith("application/json")) {
      let value: unknown = call.json;
      if (call.raw) {
        try {
          value = JSON.parse(call.raw.body);
        } catch {
          problems.push("the body is not JSON");
          return problems;
        }
      }
      problems.push(...check(media[declaredType]?.schema, value, "body"));
    }
  } else if (op.requestBody?.required) {
    problems.push("the body is required");
  }
  return problems;
}

/** Sends a request for an operation and checks the answer against the document. */
async function call(operationId: string, c: Call = {}): Promise<Answer> {
  const op = operations.get(operationId);
  if (!op) throw new Error(`No operation ${operationId} in /openapi.json`);
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = c.params?.[name];
    if (value === undefined) throw new Error(`${operationId}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
  const query = c.query ? `?${new URLSearchParams(c.query)}` : "";
  const headers: Record<string, string> = { ...c.headers };
  if (c.as) headers.authorization = `Bearer ${await app.staffToken(c.as)}`;
  const res = await app.request(`${path}${query}`, {
    method: op.method.toUpperCase(),
    headers: {
      ...headers,
      ...(c.raw ? { "content-type": c.raw.type } : {}),
    },
    ...(c.json !== undefined ? { json: c.json } : {}),
    ...(c.raw ? { body: c.raw.body } : {}),
  });
  const text = await res.text();
  const where = `${operationId} → ${res.status} ${text.slice(0, 300)}`;

  const listed = op.responses[String(res.status)] ?? op.responses[`${String(res.status)[0]}XX`];
  expect(listed, `${where}: status not listed for the operation`).toBeDefined();
  const media = listed?.content;
  let body: any = null;
  if (media) {
    const type = res.headers.get("content-type") ?? "";
    const declared = Object.keys(media).find((m) => type.startsWith(m));
    expect(declared, `${where}: content-type ${type} not listed`).toBeDefined();
    body = type.startsWith("application/json") ? JSON.parse(text) : text;
    expect(check(media[declared as string]?.schema, body, "response", true), where).toEqual([]);
  } else {
    expect(text, `${where}: a body the document does not list`).toBe("");
  }

  const answer = {
    status: res.status,
    headers: res.headers,
    body,
    requestProblems: requestProblems(op, c, headers),
  };
  if (res.status < 300) {
    // What the server accepts, a client generated from the document must be able to send.
    expect(answer.requestProblems, `${where}: accepted, but the document refuses it`).toEqual([]);
  }
  const kinds = seen.get(operationId) ?? new Set();
  if (res.status < 300) kinds.add("success");
  else if (res.status < 500) kinds.add("error");
  seen.set(operationId, kinds);
  return answer;
}

/** A case of its own for the operation: it must succeed with this status. */
async function succeeds(operationId: string, status: number, c: Call = {}) {
  const a = await call(operationId, c);
  expect(a.status, `${operationId}: ${JSON.stringify(a.body)}`).toBe(status);
  exercised.add(operationId);
  return a;
}

/** A refusal with this status and code; `shape` when the document refuses the request too. */
async function refused(
  operationId: string,
  status: number,
  code: string,
  c: Call = {},
  shape = false,
) {
  const a = await call(operationId, c);
  expect(a.status, `${operationId}: ${JSON.stringify(a.body)}`).toBe(status);
  expect(a.body.error.code).toBe(code);
  if (shape) expect(a.requestProblems, `${operationId}: the document allows it`).not.toEqual([]);
  else expect(a.requestProblems, `${operationId}: the document refuses it`).toEqual([]);
  return a;
}

describe("the served document", () => {
  it("is valid OpenAPI 3.1 to swagger-parser", async () => {
    const api = (await SwaggerParser.validate(structuredClone(served))) as any;
    expect(api.openapi).toBe("3.1.0");
    expect(operations.size).toBeGreaterThanOrEqual(22);
  });

  it("every pattern is an ECMA-262 regex in Unicode mode, with no flags stuck to it", () => {
    const patterns: string[] = [];
    JSON.stringify(served, (k, v) => {
      if (k === "pattern" && typeof v === "string") patterns.push(v);
      return v;
    });
    expect(patterns.length).toBeGreaterThan(3);
    for (const p of patterns) {
      expect(() => new RegExp(p, "u"), p).not.toThrow();
      expect(p, "a regex printed with its flags").not.toMatch(/\/[dgimsuvy]+$/);
    }
  });

  it("every operation has an operationId, tags and a security decision; the document a server", () => {
    expect(served.servers?.[0]?.url).toBe("https://clinic.test");
    for (const op of operations.values()) {
      expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      expect(Array.isArray(op.security), op.operationId).toBe(true);
      if (op.path.startsWith("/api/staff/") && op.path !== "/api/staff/session") {
        expect(op.security, op.operationId).toContainEqual({ staffBearer: [] });
      }
    }
  });

  it("every component schema compiles in Ajv's strict mode", () => {
    const names = Object.keys(served.components?.schemas ?? {});
    expect(names).toEqual(expect.arrayContaining(["Error", "BookingIn", "StaffBookingIn"]));
    for (const name of names) {
      expect(() => ajv.compile(closed(derefComponent(name)) as Schema), name).not.toThrow();
    }
  });
});

/** A component schema with its references resolved. */
function derefComponent(name: string): Schema {
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve);
    if (!node || typeof node !== "object") return node;
    const ref = (node as { $ref?: string }).$ref;
    if (ref) return resolve(served.components.schemas[ref.split("/").pop() as string]);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve(served.components.schemas[name]) as Schema;
}

describe("every operation against the real server", () => {
  const start = (day: string, time = "09:00") => `2026-12-${day}T${time}:00-08:00`;
  const booked: Record<string, { id: string; token: string }> = {};

  const book = async (key: string, overrides: Record<string, unknown>) => {
    const a = await succeeds("createBooking", 201, { json: bookingBody(overrides) });
    booked[key] = {
      id: a.body.booking.id,
      token: new URL(a.body.manageUrl).searchParams.get("token") ?? "",
    };
    return a;
  };

  it("treatments and availability", async () => {
    const t = await succeeds("listTreatments", 200);
    expect(t.body.treatments.map((x: { id: string }) => x.id)).toContain("microneedling-face");
    await refused("listTreatments", 422, "VALIDATION", { query: { page: "2" } }, true);

    const a = await succeeds("listAvailability", 200, {
      query: { treatmentId: "microneedling-face", from: "2026-12-07", to: "2026-12-11" },
    });
    expect(a.body.slots.length).toBeGreaterThan(10);
    await refused("listAvailability", 422, "VALIDATION", {
      query: { treatmentId: "microneedling-face", from: "2026-12-11", to: "2026-12-07" },
    });
    await refused(
      "listAvailability",
      422,
      "VALIDATION",
      { query: { treatmentId: "microneedling-face", from: "2026-12-07", to: "tomorrow" } },
      true,
    );
  });

  it("a public booking, with a name in any script and punctuation, and its refusals", async () => {
    const a = await book("read", {
      start: start("07"),
      patient: { name: "Zoë O'Neil-Søren 李", email: "zoe.contract@example.com" },
    });
    expect(a.body.booking.status).toBe("confirmed");
    await book("move", {
      start: start("08"),
      patient: { name: "Mover Contract", email: "mover.contract@example.com" },
    });
    await book("cancel", {
      start: start("09"),
      patient: { name: "Canceller Contract", email: "canceller.contract@example.com" },
    });
    await refused("createBooking", 409, "SLOT_TAKEN", {
      json: bookingBody({
        start: start("07"),
        patient: { name: "Late Comer", email: "late.contract@example.com" },
      }),
    });
    await refused("createBooking", 409, "SPACING_TOO_SOON", {
      json: bookingBody({
        start: start("21"),
        patient: { name: "Zoë O'Neil-Søren 李", email: "zoe.contract@example.com" },
      }),
    });
    await refused(
      "createBooking",
      422,
      "VALIDATION",
      {
        json: bookingBody({
          start: start("10"),
          patient: { name: "<b>Bold</b>", email: "bold.contract@example.com" },
        }),
      },
      true,
    );
    await refused(
      "createBooking",
      422,
      "VALIDATION",
      { json: { ...bookingBody({ start: start("10") }), status: "completed" } },
      true,
    );
  });

  it("the manage link: read, move, cancel", async () => {
    const read = booked.read as { id: string; token: string };
    await succeeds("getBooking", 200, { params: { id: read.id }, query: { token: read.token } });
    await succeeds("getBooking", 200, {
      params: { id: read.id },
      headers: { authorization: `Bearer ${read.token}` },
    });
    await refused("getBooking", 404, "NOT_FOUND", {
      params: { id: read.id },
      query: { token: (booked.move as { token: string }).token },
    });

    const move = booked.move as { id: string; token: string };
    const moved = await succeeds("rescheduleBooking", 200, {
      params: { id: move.id },
      query: { token: move.token },
      headers: { "Idempotency-Key": "contract-move-1" },
      json: { start: start("10"), practitionerId: "jules" },
    });
    expect(moved.body.booking.start).toBe(start("10"));
    await refused("rescheduleBooking", 409, "SLOT_TAKEN", {
      params: { id: move.id },
      query: { token: move.token },
      json: { start: start("07"), practitionerId: "jules" },
    });

    const cancel = booked.cancel as { id: string; token: string };
    const cancelled = await succeeds("cancelBooking", 200, {
      params: { id: cancel.id },
      query: { token: cancel.token },
    });
    expect(cancelled.body.booking.status).toBe("cancelled");
    await refused("cancelBooking", 409, "INVALID_STATE", {
      params: { id: cancel.id },
      query: { token: cancel.token },
    });
  });

  it("the one-click unsubscribe", async () => {
    const patientId = patientIdFor(app.deps.bookings.locationId, "zoe.contract@example.com");
    const token = app.deps.tokens.sign(
      "unsubscribe",
      patientId,
      new Date(Date.parse(NOW) + 30 * 86_400_000),
    );
    await succeeds("unsubscribe", 200, {
      query: { token },
      raw: { body: "List-Unsubscribe=One-Click", type: "application/x-www-form-urlencoded" },
    });
    await refused("unsubscribe", 404, "NOT_FOUND", { query: { token: `${token}x` } });

    // The same URL opened in a browser: a page, which changes nothing.
    const ask = await succeeds("unsubscribePage", 200, { query: { token } });
    expect(ask.body).toContain("<form");
    const expired = await call("unsubscribePage", { query: { token: `${token}x` } });
    expect(expired.status).toBe(404);
    expect(expired.body).toContain("This link has expired");
  });

  it("staff sign in and out", async () => {
    const a = await succeeds("signIn", 200, {
      json: { email: "desk@clinic.test", password: "Desk-pass-2026!" },
    });
    expect(a.headers.get("set-cookie")).toMatch(/staff_session=[^;]+;.*HttpOnly/i);
    await refused("signIn", 401, "UNAUTHENTICATED", {
      json: { email: "desk@clinic.test", password: "wrong-password" },
    });
    await refused(
      "signIn",
      422,
      "VALIDATION",
      { json: { email: "not an email", password: "x" } },
      true,
    );
    await succeeds("signOut", 204);
    await refused(
      "signOut",
      413,
      "PAYLOAD_TOO_LARGE",
      {
        raw: { body: "x".repeat(MAX_BODY_BYTES + 1), type: "text/plain" },
      },
      true,
    );
  });

  it("the schedule and booking for a patient, with and without an override", async () => {
    const day = await succeeds("getSchedule", 200, {
      as: "receptionist",
      query: { date: "2026-12-07" },
    });
    expect(day.body.bookings.length).toBe(1);
    await refused("getSchedule", 401, "UNAUTHENTICATED", { query: { date: "2026-12-07" } });
    await refused(
      "getSchedule",
      422,
      "VALIDATION",
      { as: "receptionist", query: { date: "2026-13-01" } },
      true,
    );

    const patient = { name: "Zoë O'Neil-Søren 李", email: "zoe.contract@example.com" };
    const refusal = await refused("staffCreateBooking", 409, "SPACING_TOO_SOON", {
      as: "receptionist",
      json: bookingBody({ start: start("21"), patient }),
    });
    // The staff refusal's details, which the Error schema names (and `closed` requires).
    expect(refusal.body.error.previousSession.id).toBe((booked.read as { id: string }).id);
    expect(refusal.body.error.earliestAllowedDate).toBe("2027-01-04");
    await refused(
      "staffCreateBooking",
      422,
      "VALIDATION",
      {
        as: "receptionist",
        json: { ...bookingBody({ start: start("21"), patient }), override: { reason: "short" } },
      },
      true,
    );
    const overridden = await succeeds("staffCreateBooking", 201, {
      as: "receptionist",
      headers: { "Idempotency-Key": "contract-staff-1" },
      json: {
        ...bookingBody({ start: start("21"), patient }),
        override: { reason: "Travelling in January; approved by Jules" },
      },
    });
    expect(overridden.body.booking.override.reason).toBe(
      "Travelling in January; approved by Jules",
    );
    booked.override = { id: overridden.body.booking.id, token: "" };

    await book("desk", {
      start: start("14"),
      patient: { name: "Desk Contract", email: "desk.contract@example.com" },
    });
    await book("noshow", {
      start: start("15"),
      patient: { name: "Noshow Contract", email: "noshow.contract@example.com" },
    });
    await book("deskcancel", {
      start: start("16"),
      patient: { name: "Deskcancel Contract", email: "deskcancel.contract@example.com" },
    });
  });

  it("one booking: read, move, complete, no-show, cancel", async () => {
    const desk = (booked.desk as { id: string }).id;
    const b = await succeeds("staffGetBooking", 200, { as: "receptionist", params: { id: desk } });
    expect(b.body.booking.patient.email).toBe("desk.contract@example.com");
    await refused("staffGetBooking", 404, "NOT_FOUND", {
      as: "receptionist",
      params: { id: "no-such-booking" },
    });

    await succeeds("staffRescheduleBooking", 200, {
      as: "receptionist",
      params: { id: desk },
      json: { start: start("14", "10:00") },
    });
    await refused("staffRescheduleBooking", 409, "SPACING_TOO_SOON", {
      as: "receptionist",
      params: { id: (booked.override as { id: string }).id },
      json: { start: start("22") },
    });

    await refused("completeBooking", 409, "INVALID_STATE", {
      as: "receptionist",
      params: { id: desk },
    });
    app.clock.set("2026-12-17T20:00:00Z");
    try {
      const done = await succeeds("completeBooking", 200, {
        as: "receptionist",
        params: { id: desk },
      });
      expect(done.body.booking.status).toBe("completed");
      const noShow = await succeeds("markNoShow", 200, {
        as: "receptionist",
        params: { id: (booked.noshow as { id: string }).id },
      });
      expect(noShow.body.booking.status).toBe("no-show");
      await refused("markNoShow", 409, "INVALID_STATE", {
        as: "receptionist",
        params: { id: desk },
      });
    } finally {
      app.clock.set(NOW);
    }
    const gone = await succeeds("staffCancelBooking", 200, {
      as: "receptionist",
      params: { id: (booked.deskcancel as { id: string }).id },
    });
    expect(gone.body.booking.status).toBe("cancelled");
    await refused("staffCancelBooking", 409, "INVALID_STATE", {
      as: "receptionist",
      params: { id: (booked.deskcancel as { id: string }).id },
    });
  });

  it("the overrides log, and a range that runs backwards", async () => {
    const log = await succeeds("listAuditEntries", 200, {
      as: "receptionist",
      query: { from: "2026-11-30", to: "2026-11-30" },
    });
    expect(log.body.entries.map((e: { bookingId: string }) => e.bookingId)).toContain(
      (booked.override as { id: string }).id,
    );
    const reversed = await refused("listAuditEntries", 422, "VALIDATION", {
      as: "receptionist",
      query: { from: "2026-12-31", to: "2026-11-01" },
    });
    expect(reversed.body.error.issues).toEqual([
      { path: "to", message: "Must be on or after from" },
    ]);
  });

  it("follow-ups, the email sent, and the patient", async () => {
    await app.runFollowUps(NOW);
    const read = (booked.read as { id: string }).id;
    const f = await succeeds("listFollowUps", 200, { as: "receptionist", params: { id: read } });
    const sent = f.body.followUps.find((x: { status: string }) => x.status === "sent");
    const pending = f.body.followUps.find((x: { status: string }) => x.status === "scheduled");
    expect(sent?.kind).toBe("confirmation");
    await refused("listFollowUps", 404, "NOT_FOUND", {
      as: "receptionist",
      params: { id: "no-such-booking" },
    });

    const email = await succeeds("getSentEmail", 200, {
      as: "receptionist",
      params: { id: read, step: sent.step },
    });
    expect(email.body.html).toContain("<");
    await refused("getSentEmail", 404, "NOT_FOUND", {
      as: "receptionist",
      params: { id: read, step: pending.step },
    });

    const p = await succeeds("getPatient", 200, {
      as: "receptionist",
      query: { email: "zoe.contract@example.com" },
    });
    expect(p.body.patient.sessions.map((x: { bookingId: string }) => x.bookingId)).toContain(read);
    await refused("getPatient", 404, "NOT_FOUND", {
      as: "receptionist",
      query: { email: "nobody.contract@example.com" },
    });
  });

  it("the aftercare plan: read, and only an admin saves it", async () => {
    const plan = await succeeds("getAftercarePlan", 200, { as: "receptionist" });
    expect(plan.body.version).toBe(1);
    await refused("getAftercarePlan", 401, "UNAUTHENTICATED");
    const steps = plan.body.steps;
    const saved = await succeeds("putAftercarePlan", 200, { as: "admin", json: { steps } });
    expect(saved.body.version).toBe(2);
    await refused("putAftercarePlan", 403, "FORBIDDEN", { as: "receptionist", json: { steps } });
    await refused(
      "putAftercarePlan",
      422,
      "VALIDATION",
      { as: "admin", json: { steps: [] } },
      true,
    );
  });
});

describe("what every operation answers to hostile requests is documented", () => {
  /** Values that fit the path, so the request reaches the check under test. */
  const fitting = (op: Operation) =>
    Object.fromEntries(
      (op.parameters ?? []).filter((p) => p.in === "path").map((p) => [p.name, "x1"]),
    );
  const staffOnly = (op: Operation) =>
    op.security?.some((s) => "staffBearer" in s) ? { as: "admin" as const } : {};

  it("bad JSON, another media type, too large, a bad parameter, no credentials", async () => {
    let sent = 0;
    for (const op of operations.values()) {
      const id = op.operationId;
      const base = { params: fitting(op), ...staffOnly(op) };
      const answers: [string, Answer][] = [];
      const send = async (what: string, c: Call) => {
        answers.push([what, await call(id, { ...base, ...c })]);
        sent++;
      };
      if (op.requestBody?.content["application/json"]) {
        await send("bad JSON", { raw: { body: '{"start": ', type: "application/json" } });
        await send("text/plain", { raw: { body: "start=now", type: "text/plain" } });
        await send("unknown field", { json: { surprise: true } });
        await send("empty body", { raw: { body: "", type: "application/json" } });
        await send("an array", { json: [] });
      }
      if (op.method !== "get") {
        await send("too large", {
          raw: { body: `{"pad":"${"x".repeat(2 * MAX_BODY_BYTES)}"}`, type: "application/json" },
        });
      }
      for (const p of op.parameters ?? []) {
        if (p.in === "path")
          await send(`bad ${p.name}`, { params: { ...base.params, [p.name]: "a b" } });
        if (p.in === "query") await send(`bad ${p.name}`, { query: { [p.name]: "x".repeat(300) } });
      }
      if (op.parameters?.some((p) => p.in === "query")) {
        await send("unknown parameter", { query: { surprise: "1" } });
      }
      if ("as" in base) await send("no credentials", { as: undefined } as Call);
      for (const [what, a] of answers) {
        expect(a.status, `${id}, ${what}`).toBeGreaterThanOrEqual(400);
        expect(a.status, `${id}, ${what}`).toBeLessThan(500);
      }
    }
    console.info(`contract: ${sent} hostile requests over ${operations.size} operations`);
    expect(sent).toBeGreaterThan(60);
  });
});

describe("coverage", () => {
  it("every operation in the document was exercised: one success and one refusal at least", () => {
    const missing = [...operations.keys()].filter(
      (id) => !exercised.has(id) || !seen.get(id)?.has("success") || !seen.get(id)?.has("error"),
    );
    expect(missing, "operations without a success and an error case here").toEqual([]);
    expect(exercised.size).toBe(operations.size);
  });
});
