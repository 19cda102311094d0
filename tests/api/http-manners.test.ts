import { get as httpGet, type IncomingHttpHeaders } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STAFF_COOKIE } from "../../functions/api/context";
import { ASSETS } from "../../functions/api/pages/assets";
import { patientIdFor } from "../../shared/services/bookings";
import { bookingBody, startTestApp, type TestApp } from "../support/test-app";

/**
 * HTTP manners over the real server: answers with a patient's data or a token are
 * never stored by a cache; a known path asked with another method is 405 with
 * `Allow`, and `OPTIONS` says which methods a path takes; a browser gets a page
 * for an unknown address (API clients keep the JSON 404); the pages carry an icon
 * and patients' pages a description.
 */

const NOW = "2026-11-30T18:00:00Z"; // Monday 10:00 in Los Angeles
const METHODS = ["get", "post", "put", "patch", "delete"];

let app: TestApp;
let auth: { authorization: string };
let doc: { paths: Record<string, Record<string, { operationId: string; security: unknown[] }>> };
let booking: { id: string; token: string };

beforeAll(async () => {
  app = await startTestApp({ now: NOW });
  auth = { authorization: `Bearer ${await app.staffToken("admin")}` };
  doc = (await (await app.request("/openapi.json")).json()) as typeof doc;
  const res = await app.request("/api/bookings", {
    method: "POST",
    json: bookingBody({
      start: "2026-12-08T10:00:00-08:00",
      patient: { name: "Manners Patient", email: "manners@example.com" },
    }),
  });
  expect(res.status).toBe(201);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const body = (await res.json()) as { booking: { id: string }; manageUrl: string };
  booking = {
    id: body.booking.id,
    token: new URL(body.manageUrl).searchParams.get("token") ?? "",
  };
});
afterAll(() => app?.close());

/**
 * Every operation of the served document, as a path a request can take: on a
 * booking that does not exist, so that a change (a staff cancel) changes nothing.
 */
function operations() {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({
      method: m.toUpperCase(),
      path,
      concrete: path.replace("{id}", "no-such-booking").replace("{step}", "confirmation-1"),
      op: item[m] as { operationId: string; security: unknown[] },
    })),
  );
}

describe("Cache-Control: no-store on what carries personal data or a token", () => {
  const PUBLIC_READS = new Set(["listTreatments", "listAvailability"]);

  it("every operation but the public catalog reads, signed in or not, answered or refused", async () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(22);
    let checked = 0;
    for (const { method, concrete, op } of ops) {
      if (PUBLIC_READS.has(op.operationId)) continue;
      for (const headers of [{}, auth]) {
        const res = await app.request(concrete, {
          method,
          headers,
          ...(method === "POST" || method === "PUT" ? { json: {} } : {}),
        });
        await res.arrayBuffer();
        expect(res.headers.get("cache-control"), `${method} ${concrete} → ${res.status}`).toBe(
          "no-store",
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(40);
  });

  it("the manage link's booking, the sign-in and staff answers that succeed", async () => {
    const answers = [
      await app.request(`/api/bookings/${booking.id}?token=${booking.token}`),
      await app.request("/api/staff/session", {
        method: "POST",
        json: { email: "desk@clinic.test", password: "Desk-pass-2026!" },
      }),
      await app.request("/api/staff/schedule?date=2026-12-08", { headers: auth }),
      await app.request(`/api/staff/bookings/${booking.id}`, { headers: auth }),
      await app.request("/api/staff/patients?email=manners@example.com", { headers: auth }),
    ];
    for (const res of answers) {
      expect(res.status, res.url).toBe(200);
      const text = await res.text();
      expect(text.length).toBeGreaterThan(10);
      expect(res.headers.get("cache-control"), res.url).toBe("no-store");
    }
  });

  it("availability with a patient's rebooking token is private; the public catalog is not", async () => {
    const patientId = patientIdFor(app.deps.bookings.locationId, "manners@example.com");
    const rebook = app.deps.tokens.sign("rebook", patientId, new Date("2027-06-01T00:00:00Z"));
    const q = "treatmentId=microneedling-face&from=2026-12-14&to=2026-12-18";
    const mine = await app.request(`/api/availability?${q}&rebook=${encodeURIComponent(rebook)}`);
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as { earliestAllowedDate?: string }).earliestAllowedDate).toBe(
      "2027-01-05",
    );
    expect(mine.headers.get("cache-control")).toBe("no-store");
    for (const path of ["/api/treatments", `/api/availability?${q}`]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      await res.arrayBuffer();
      expect(res.headers.get("cache-control"), path).toBeNull();
    }
  });
});

describe("methods: 405 with Allow, and OPTIONS", () => {
  it("OPTIONS on every path of the document lists exactly its methods", async () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const concrete = path.replace("{id}", booking.id).replace("{step}", "confirmation-1");
      const res = await app.request(concrete, { method: "OPTIONS", headers: auth });
      expect(res.status, concrete).toBe(204);
      expect(await res.text()).toBe("");
      const methods = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
      const expected = [...methods, ...(methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"];
      const allow = (res.headers.get("allow") ?? "").split(", ");
      expect(allow.sort(), concrete).toEqual(expected.sort());
    }
  });

  it("OPTIONS on pages, assets and the docs; an unknown path stays 404", async () => {
    for (const [path, allow] of [
      ["/book", "GET, HEAD, OPTIONS"],
      ["/book/microneedling-face/2026-12-10", "GET, HEAD, POST, OPTIONS"],
      ["/unsubscribe", "GET, HEAD, POST, OPTIONS"],
      ["/staff/sign-in", "GET, HEAD, POST, OPTIONS"],
      [ASSETS.css.path, "GET, HEAD, OPTIONS"],
      ["/openapi.json", "GET, HEAD, OPTIONS"],
    ] as const) {
      const res = await app.request(path, { method: "OPTIONS" });
      expect(res.status, path).toBe(204);
      expect(res.headers.get("allow"), path).toBe(allow);
    }
    const unknown = await app.request("/api/nothing-here", { method: "OPTIONS" });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("allow")).toBeNull();
  });

  it("a known API path with another method: 405 METHOD_NOT_ALLOWED with Allow, nothing changed", async () => {
    for (const [method, path, allow] of [
      ["GET", "/api/bookings", "POST, OPTIONS"],
      ["DELETE", `/api/bookings/${booking.id}`, "GET, HEAD, OPTIONS"],
      ["PUT", `/api/bookings/${booking.id}/cancel`, "POST, OPTIONS"],
      ["GET", "/api/staff/session", "POST, DELETE, OPTIONS"],
      ["POST", "/api/treatments", "GET, HEAD, OPTIONS"],
      ["PATCH", "/health", "GET, HEAD, OPTIONS"],
    ] as const) {
      const res = await app.request(`${path}?token=${booking.token}`, {
        method,
        ...(method === "GET" ? {} : { json: {} }),
      });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("allow"), `${method} ${path}`).toBe(allow);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("METHOD_NOT_ALLOWED");
      expect(body.error.message).toContain(allow);
    }
    const still = await app.request(`/api/bookings/${booking.id}?token=${booking.token}`);
    expect(((await still.json()) as { booking: { status: string } }).booking.status).toBe(
      "confirmed",
    );
  });

  it("signed in, a staff path with another method is 405; without a token it is still only 401", async () => {
    const path = `/api/staff/bookings/${booking.id}`;
    const signedIn = await app.request(path, { method: "DELETE", headers: auth });
    expect(signedIn.status).toBe(405);
    expect(signedIn.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    for (const method of ["DELETE", "OPTIONS"]) {
      const anonymous = await app.request(path, { method });
      expect(anonymous.status, method).toBe(401);
      expect(anonymous.headers.get("allow"), method).toBeNull();
    }
  });

  it("a browser gets a page for a form address asked with another method", async () => {
    const res = await app.request("/book", { method: "PUT", headers: { accept: "text/html" } });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await res.text()).toContain("PUT is not allowed here");
  });
});

describe("not found", () => {
  it("a browser gets an HTML 404 page on an unknown page address", async () => {
    for (const path of [
      "/nothing-here",
      "/book/microneedling-face/2026-12-10/extra",
      "/wp-admin",
    ]) {
      const res = await app.request(path, {
        headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
      });
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/^text\/html/);
      expect(res.headers.get("content-security-policy"), path).toContain("script-src 'self'");
      const html = await res.text();
      expect(html).toContain("<h1>Page not found</h1>");
      expect(html).toContain('href="/book"');
      expect(html).toContain("Face of Jules");
    }
  });

  it("API clients, and any /api/ address, keep the JSON 404", async () => {
    for (const [path, accept] of [
      ["/nothing-here", "application/json"],
      ["/nothing-here", "*/*"],
      ["/api/nothing-here", "text/html"],
      ["/api/bookings/x/nothing", "text/html,*/*"],
    ] as const) {
      const res = await app.request(path, { headers: { accept } });
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    }
  });
});

describe("the icon and the description", () => {
  const descriptionOf = (html: string) =>
    /<meta name="description" content="([^"]+)"\/?>/.exec(html)?.[1];

  it("every page links the hashed icon, served small, cached for a year, as SVG", async () => {
    const page = await (await app.request("/book")).text();
    expect(page).toContain(`<link rel="icon" href="${ASSETS.icon.path}" type="image/svg+xml"/>`);
    const icon = await app.request(ASSETS.icon.path);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(icon.headers.get("cache-control")).toContain("immutable");
    const svg = await icon.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).not.toMatch(/<script|on[a-z]+=|href=/i);
    expect(Buffer.byteLength(svg)).toBeLessThan(1024);
    const ico = await app.request("/favicon.ico");
    expect(ico.status).toBe(200);
    expect(ico.headers.get("content-type")).toBe("image/svg+xml");
    expect(await ico.text()).toBe(svg);
    // The strict CSP still lets the page show it: images from this origin only.
    const csp = (await app.request("/book")).headers.get("content-security-policy") ?? "";
    expect(csp).toContain("img-src 'self'");
  });

  it("patients' pages carry a description naming the clinic; the console's do not", async () => {
    const patientPages = [
      "/book",
      "/book/microneedling-face",
      "/book/microneedling-face/2026-12-15",
      `/manage/${booking.id}?token=${booking.token}`,
    ];
    const descriptions = new Set<string>();
    for (const path of patientPages) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      const description = descriptionOf(await res.text());
      expect(description, path).toContain("Face of Jules");
      expect((description ?? "").length, path).toBeLessThan(160);
      descriptions.add(description ?? "");
    }
    // The booking pages say what each one is for.
    expect(descriptions.size).toBe(patientPages.length);
    const patientId = patientIdFor(app.deps.bookings.locationId, "manners@example.com");
    const unsubscribe = app.deps.tokens.sign(
      "unsubscribe",
      patientId,
      new Date("2027-06-01T00:00:00Z"),
    );
    const page = await app.request(`/unsubscribe?token=${encodeURIComponent(unsubscribe)}`);
    expect(descriptionOf(await page.text())).toContain("Face of Jules");

    const signIn = await (await app.request("/staff/sign-in")).text();
    expect(descriptionOf(signIn)).toBeUndefined();
    const cookie = `${STAFF_COOKIE}=${await app.staffToken("receptionist")}`;
    const schedule = await (await app.request("/staff", { headers: { cookie } })).text();
    expect(schedule).toContain("front desk");
    expect(descriptionOf(schedule)).toBeUndefined();
  });
});

/** A GET as a plain HTTP client sends it, with the answer's bytes as they came over the wire. */
function rawGet(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      const req = httpGet(`${app.baseUrl}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.on("error", reject);
    },
  );
}

describe("compression of text answers", () => {
  const week = "/api/availability?treatmentId=microneedling-face&from=2026-12-07&to=2026-12-11";

  it("brotli when accepted, else gzip, else none: the same JSON each way, keyed by Vary", async () => {
    const plain = await rawGet(week, { "accept-encoding": "identity" });
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.byteLength).toBeGreaterThan(10_000);
    const br = await rawGet(week, { "accept-encoding": "gzip, deflate, br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(Number(br.headers["content-length"])).toBe(br.body.byteLength);
    expect(br.body.byteLength).toBeLessThan(plain.body.byteLength / 5);
    expect(brotliDecompressSync(br.body).toString()).toBe(plain.body.toString());
    const gz = await rawGet(week, { "accept-encoding": "br;q=0, gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.body).toString()).toBe(plain.body.toString());
    for (const r of [plain, br, gz]) expect(r.headers.vary).toMatch(/accept-encoding/i);
    // Without the header, nothing is encoded.
    expect((await rawGet(week, {})).headers["content-encoding"]).toBeUndefined();
  });

  it("pages and their stylesheet too; small answers and errors under 1 KiB stay as they are", async () => {
    const page = await rawGet("/book", { "accept-encoding": "br" });
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(page.body).toString()).toContain("</html>");
    const css = await rawGet(ASSETS.css.path, { "accept-encoding": "gzip" });
    expect(css.headers["content-encoding"]).toBe("gzip");
    const health = await rawGet("/health", { "accept-encoding": "br" });
    expect(health.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(health.body.toString())).toEqual({ ok: true });
    const refused = await rawGet("/api/availability?treatmentId=nope", { "accept-encoding": "br" });
    expect(refused.status).toBe(422);
    expect(refused.headers["content-encoding"]).toBeUndefined();
  });
});
