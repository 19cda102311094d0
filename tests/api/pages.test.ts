import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STAFF_COOKIE } from "../../functions/api/context";
import { ASSETS } from "../../functions/api/pages/assets";
import { bookingBody, startTestApp, type TestApp } from "../support/test-app";

/**
 * The pages' own defences, over HTTP against the real app: CSRF, content types,
 * sizes, signed links, the console's cookie, open redirects, escaping, headers
 * and the weight budget. The browser tests cover the happy paths.
 */
describe("pages under hostile input", () => {
  let app: TestApp;
  let staffCookie: string;

  beforeAll(async () => {
    app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
    staffCookie = `${STAFF_COOKIE}=${await app.staffToken("receptionist")}`;
  });
  afterAll(() => app?.close());

  /** A page's CSRF cookie and form token, as a browser would hold them. */
  async function formSession(path: string, cookie = "") {
    const res = await app.request(path, { headers: cookie ? { cookie } : {} });
    const html = await res.text();
    const setCookie = res.headers.get("set-cookie") ?? "";
    const csrfCookie = /csrf=([^;]+)/.exec(setCookie)?.[1] ?? /csrf=([^;]+)/.exec(cookie)?.[1];
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!csrfCookie || !token) throw new Error(`no form session on ${path}: ${res.status}`);
    return { cookie: [cookie, `csrf=${csrfCookie}`].filter(Boolean).join("; "), token, html };
  }

  /** An LED facial booked through the API, any practitioner, no aftercare emails. */
  const bookLed = (start: string, name: string, email: string) =>
    app.request("/api/bookings", {
      method: "POST",
      json: bookingBody({
        treatmentId: "led-facial",
        start,
        practitionerId: undefined,
        patient: { name, email },
        consent: { aftercareEmails: false },
      }),
    });

  const post = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(body).toString(),
    });

  const bookingForm = (extra: Record<string, string> = {}) => ({
    start: "2026-12-08T18:00:00.000Z",
    name: "Page Tester",
    email: "page.tester@example.com",
    consent: "yes",
    ...extra,
  });

  it("refuses a form without, or with another browser's, CSRF token, and writes nothing", async () => {
    const path = "/book/microneedling-face/2026-12-08";
    const mine = await formSession(path);
    const theirs = await formSession(path);
    for (const [cookie, token] of [
      [mine.cookie, ""],
      ["", mine.token],
      [mine.cookie, theirs.token],
      [mine.cookie, `${mine.token.slice(0, -2)}xx`],
    ] as const) {
      const res = await post(path, bookingForm({ _csrf: token }), cookie ? { cookie } : {});
      expect(res.status).toBe(403);
      const html = await res.text();
      expect(html).toContain("This form has expired");
      expect(html).not.toMatch(/at \S+\.ts|Error:/);
    }
    expect(await app.schedule("2026-12-08")).toEqual([]);
  });

  it("a form is a form: JSON and other bodies get 415, oversized ones 413", async () => {
    const path = "/book/microneedling-face/2026-12-08";
    const s = await formSession(path);
    const json = await app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: s.cookie },
      body: JSON.stringify(bookingForm({ _csrf: s.token })),
    });
    expect(json.status).toBe(415);
    expect(await json.text()).toContain("<h1>Please use the form</h1>");
    const big = await post(path, bookingForm({ _csrf: s.token, name: "x".repeat(40_000) }), {
      cookie: s.cookie,
    });
    expect(big.status).toBe(413);
    expect(await app.schedule("2026-12-08")).toEqual([]);
  });

  it("keeps hostile text out of the page: markup is refused, quotes are escaped", async () => {
    const path = "/book/microneedling-face/2026-12-08";
    const s = await formSession(path);
    const res = await post(
      path,
      bookingForm({ _csrf: s.token, name: '<img src=x onerror="alert(1)">' }),
      {
        cookie: s.cookie,
      },
    );
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(html).toContain('id="name-error"');

    // A name with quotes and ampersands books, and the console shows it escaped.
    const s2 = await formSession(path);
    const ok = await post(path, bookingForm({ _csrf: s2.token, name: `O'Hara & "Sons"` }), {
      cookie: s2.cookie,
    });
    expect(ok.status).toBe(303);
    const day = await (
      await app.request("/staff?date=2026-12-08", { headers: { cookie: staffCookie } })
    ).text();
    expect(day).toContain("O&#39;Hara &amp; &quot;Sons&quot;");
  });

  it("the same form sent twice books once and lands on the same booking", async () => {
    const path = "/book/microneedling-face/2026-12-09";
    const s = await formSession(path);
    const formId = /name="formId" value="([^"]+)"/.exec(s.html)?.[1] ?? "";
    const body = bookingForm({
      _csrf: s.token,
      formId,
      start: "2026-12-09T18:00:00.000Z",
      email: "twice@example.com",
    });
    const [a, b] = await Promise.all([
      post(path, body, { cookie: s.cookie }),
      post(path, body, { cookie: s.cookie }),
    ]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.headers.get("location")).toBe(b.headers.get("location"));
    expect((await app.schedule("2026-12-09")).length).toBe(1);
  });

  it("patient pages end with the clinic's address, phone and email, each a link; the console does not", async () => {
    const res = await bookLed("2026-12-10T11:00:00-08:00", "Footer Reader", "footer@example.com");
    const { booking, manageUrl } = (await res.json()) as {
      booking: { id: string };
      manageUrl: string;
    };
    const token = new URL(manageUrl).searchParams.get("token") ?? "";
    for (const path of ["/", `/manage/${booking.id}?token=${encodeURIComponent(token)}`]) {
      const html = await (await app.request(path)).text();
      const footer = /<footer class="site">([\s\S]*)<\/footer>/.exec(html)?.[1] ?? "";
      expect(footer, path).toContain("1234 Sunset Blvd, Los Angeles, CA 90026");
      expect(footer, path).toContain('<a href="tel:+13235550100">+1 323 555 0100</a>');
      expect(footer, path).toContain(
        '<a href="mailto:hello@faceofjules.test">hello@faceofjules.test</a>',
      );
      expect(footer, path).toMatch(
        /<a href="https:\/\/www\.openstreetmap\.org\/[^"]+">1234 Sunset/,
      );
    }
    const console = await (
      await app.request("/staff", { headers: { cookie: staffCookie } })
    ).text();
    expect(console).toContain("front desk");
    expect(console).not.toContain('<footer class="site">');
  });

  it("a manage link with a wrong, altered or other booking's token is a 404 that says nothing more", async () => {
    const res = await bookLed("2026-12-10T10:00:00-08:00", "Link Owner", "owner@example.com");
    const { booking, manageUrl } = (await res.json()) as {
      booking: { id: string };
      manageUrl: string;
    };
    const token = new URL(manageUrl).searchParams.get("token") ?? "";
    const ok = await app.request(`/manage/${booking.id}?token=${encodeURIComponent(token)}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("LED facial");
    const answers = await Promise.all(
      [
        `/manage/${booking.id}`,
        `/manage/${booking.id}?token=${encodeURIComponent(token.slice(0, -3))}abc`,
        `/manage/someoneelse?token=${encodeURIComponent(token)}`,
        `/manage/${booking.id}/calendar.ics?token=nope`,
        `/manage/${booking.id}/cancel?token=${encodeURIComponent(token.replace("manage", "rebook"))}`,
      ].map((p) => app.request(p)),
    );
    const bodies = await Promise.all(answers.map((r) => r.text()));
    expect(answers.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    for (const html of bodies) {
      expect(html).toContain("This link is not valid");
      expect(html).not.toContain("Link Owner");
    }
  });

  it("console pages and forms need the session cookie of a staff group member", async () => {
    const anon = await app.request("/staff/audit", { redirect: "manual" });
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toBe("/staff/sign-in?next=%2Fstaff%2Faudit");

    const forged = await app.request("/staff", {
      redirect: "manual",
      headers: { cookie: `${STAFF_COOKIE}=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.` },
    });
    expect(forged.status).toBe(303);
    expect(forged.headers.get("location")).toContain("expired=1");

    // A bearer header is not a console session (the console runs on its cookie).
    const bearer = await app.request("/staff", {
      redirect: "manual",
      headers: { authorization: `Bearer ${await app.staffToken("receptionist")}` },
    });
    expect(bearer.status).toBe(303);

    const visitor = await app.request("/staff", {
      headers: { cookie: `${STAFF_COOKIE}=${await app.staffToken("nogroup")}` },
    });
    expect(visitor.status).toBe(403);
    expect(await visitor.text()).toContain("not allowed to use the front desk");

    const cancel = await post("/staff/bookings/abc/cancel", { _csrf: "x" });
    expect(cancel.status).toBe(303);
    expect(cancel.headers.get("location")).toContain("/staff/sign-in");
  });

  it("sign-in never redirects off the console", async () => {
    for (const next of [
      "//evil.example/",
      "https://evil.example/",
      "/\\evil.example",
      "/book",
      "javascript:alert(1)",
    ]) {
      const s = await formSession(`/staff/sign-in?next=${encodeURIComponent(next)}`);
      const res = await post(
        `/staff/sign-in?next=${encodeURIComponent(next)}`,
        { _csrf: s.token, email: "desk@clinic.test", password: "Desk-pass-2026!" },
        { cookie: s.cookie },
      );
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/staff");
    }
  });

  it("a cookie-borne staff change must come from this origin; a bearer token needs no origin", async () => {
    const res = await bookLed(
      "2026-12-11T10:00:00-08:00",
      "Origin Check",
      "origin.check@example.com",
    );
    const { booking } = (await res.json()) as { booking: { id: string } };
    const cancel = (headers: Record<string, string>) =>
      app.request(`/api/staff/bookings/${booking.id}/cancel`, { method: "POST", headers });
    const evil = await cancel({ cookie: staffCookie, origin: "http://127.0.0.1:1" });
    expect(evil.status).toBe(403);
    const sameSite = await cancel({ cookie: staffCookie, "sec-fetch-site": "same-site" });
    expect(sameSite.status).toBe(403);
    expect((await app.stores.reads.booking(app.deps.bookings.locationId, booking.id))?.status).toBe(
      "confirmed",
    );
    const ours = await cancel({ cookie: staffCookie, origin: app.baseUrl });
    expect(ours.status).toBe(200);
  });

  it("the console treats a repeated status change as done, and returns after sign-in to the page asked for", async () => {
    const res = await bookLed(
      "2026-12-11T13:00:00-08:00",
      "Twice Cancelled",
      "twice.cancelled@example.com",
    );
    const { booking } = (await res.json()) as { booking: { id: string } };
    const s = await formSession("/staff", staffCookie);
    const send = () =>
      post(`/staff/bookings/${booking.id}/cancel`, { _csrf: s.token }, { cookie: s.cookie });
    const [first, second] = [await send(), await send()];
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(second.headers.get("location")).toBe(`/staff/bookings/${booking.id}?done=cancelled`);

    const signIn = await formSession("/staff/sign-in?next=%2Fstaff%3Fdate%3D2026-12-11");
    const back = await post(
      "/staff/sign-in?next=%2Fstaff%3Fdate%3D2026-12-11",
      { _csrf: signIn.token, email: "desk@clinic.test", password: "Desk-pass-2026!" },
      { cookie: signIn.cookie },
    );
    expect(back.headers.get("location")).toBe("/staff?date=2026-12-11");
    // A form sent after the session ended goes back to its page after signing in.
    const late = await post(`/staff/bookings/${booking.id}/no-show`, { _csrf: s.token });
    expect(late.headers.get("location")).toBe(
      `/staff/sign-in?next=${encodeURIComponent(`/staff/bookings/${booking.id}`)}`,
    );
  });

  it("the plan editor refuses a save over someone else's newer version, and a new step without an id", async () => {
    const adminCookie = `${STAFF_COOKIE}=${await app.staffToken("admin")}`;
    const editor = await formSession("/staff/plan", adminCookie);
    const fields: Record<string, string> = { _csrf: editor.token };
    for (const m of editor.html.matchAll(/<(input|textarea|select)[^>]*name="([^"]+)"[^>]*>/g)) {
      const tag = m[0];
      const name = m[2] ?? "";
      if (name === "_csrf" || name === "preview") continue;
      if (m[1] === "textarea") {
        const start = editor.html.indexOf(tag) + tag.length;
        fields[name] = editor.html
          .slice(start, editor.html.indexOf("</textarea>", start))
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">")
          .replace(/&amp;/g, "&");
      } else if (m[1] === "select") {
        const start = editor.html.indexOf(tag);
        fields[name] =
          /<option value="([^"]+)" selected/.exec(
            editor.html.slice(start, editor.html.indexOf("</select>", start)),
          )?.[1] ?? "";
      } else if (!/type="checkbox"/.test(tag)) {
        fields[name] = (/value="([^"]*)"/.exec(tag)?.[1] ?? "")
          .replace(/&#39;/g, "'")
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, "&");
      }
    }
    const version = Number(fields.baseVersion);
    const blank = Number(fields.count) - 1;
    // A new step with content but no id is an error, not silently dropped.
    const noId = await post(
      "/staff/plan",
      {
        ...fields,
        [`s${blank}.subject`]: "A new note",
        [`s${blank}.content`]: "## Note\nRest well.",
      },
      { cookie: editor.cookie },
    );
    expect(noId.status).toBe(422);
    expect(await noId.text()).toContain("1 to 24 of a-z");
    // Someone else saves; this editor's save from the older version is refused.
    const other = await app.request("/api/staff/aftercare-plan", {
      headers: { cookie: staffCookie },
    });
    const plan = (await other.json()) as { steps: unknown[] };
    const put = await app.request("/api/staff/aftercare-plan", {
      method: "PUT",
      headers: { cookie: adminCookie, origin: app.baseUrl, "content-type": "application/json" },
      body: JSON.stringify({ steps: plan.steps }),
    });
    expect(put.status).toBe(200);
    const stale = await post("/staff/plan", { ...fields, save: "1" }, { cookie: editor.cookie });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain(`version ${version + 1} was saved by someone else`);
    expect((await app.stores.plans.currentPlan(app.deps.bookings.locationId))?.version).toBe(
      version + 1,
    );
  });

  it("only an admin changes the plan: a receptionist reads it and previews, a save is the 403 page", async () => {
    const desk = await formSession("/staff/plan", staffCookie);
    expect(desk.html).toContain("Only an admin can change the aftercare plan.");
    expect(desk.html).not.toContain("Save as a new version");
    expect(desk.html).not.toContain("Add a step");
    const fields = {
      _csrf: desk.token,
      count: "1",
      baseVersion: "1",
      "s0.id": "plan",
      "s0.kind": "aftercare",
      "s0.offsetDays": "0",
      "s0.sendAt": "",
      "s0.subject": "Your aftercare plan from {{clinicName}}",
      "s0.content": "## Note\nRest well.",
    };
    const preview = await post("/staff/plan", { ...fields, preview: "0" }, { cookie: desk.cookie });
    expect(preview.status).toBe(200);
    const before = (await app.stores.plans.currentPlan(app.deps.bookings.locationId))?.version;
    const save = await post("/staff/plan", { ...fields, save: "1" }, { cookie: desk.cookie });
    expect(save.status).toBe(403);
    const page = await save.text();
    expect(page).toContain("<h1>Not allowed</h1>");
    expect(page).toContain("Only an admin can change the aftercare plan.");
    expect((await app.stores.plans.currentPlan(app.deps.bookings.locationId))?.version).toBe(
      before,
    );
    const adminCookie = `${STAFF_COOKIE}=${await app.staffToken("admin")}`;
    const admin = await formSession("/staff/plan", adminCookie);
    expect(admin.html).toContain("Save as a new version");
    expect(admin.html).not.toContain("Only an admin can change");
  });

  it("a browser sending too large a form gets a page, an API client JSON", async () => {
    const big = "x".repeat(40_000);
    const page = await app.request("/book/microneedling-face/2026-12-08", {
      method: "POST",
      headers: { accept: "text/html", "content-type": "application/x-www-form-urlencoded" },
      body: `name=${big}`,
    });
    expect(page.status).toBe(413);
    expect(await page.text()).toContain("<h1>Too much to send</h1>");
    const api = await app.request("/api/bookings", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: big }),
    });
    expect(api.status).toBe(413);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe(
      "PAYLOAD_TOO_LARGE",
    );
  });

  it("offers wall-clock times across both 2026 daylight-saving changes in Los Angeles", async () => {
    const startsOn = async (date: string) => {
      const html = await (await app.request(`/book/microneedling-face/${date}`)).text();
      const first = /name="start" value="([^"]+)"[^>]*\/>([^<]+)</.exec(html);
      return [first?.[1], first?.[2]];
    };
    try {
      app.clock.set("2026-02-25T18:00:00Z");
      // Friday before the spring change (PST, UTC-8) and Monday after it (PDT, UTC-7).
      expect(await startsOn("2026-03-06")).toEqual(["2026-03-06T17:00:00.000Z", "9:00 AM"]);
      expect(await startsOn("2026-03-09")).toEqual(["2026-03-09T16:00:00.000Z", "9:00 AM"]);
      const march = await (await app.request("/book/microneedling-face?month=2026-03")).text();
      expect(march).toContain("Sunday 8 March 2026: no free times");
      expect(march).toContain("Monday 9 March 2026: free times");

      app.clock.set("2026-10-20T18:00:00Z");
      // Friday before the autumn change (PDT) and Monday after it (PST).
      expect(await startsOn("2026-10-30")).toEqual(["2026-10-30T16:00:00.000Z", "9:00 AM"]);
      expect(await startsOn("2026-11-02")).toEqual(["2026-11-02T17:00:00.000Z", "9:00 AM"]);
    } finally {
      app.clock.set("2026-11-30T18:00:00Z");
    }
  });

  it("every page sends a strict CSP and stays under 50 KB with its stylesheet, script and icon", async () => {
    const paths = [
      "/book",
      "/book/microneedling-face?month=2026-12",
      "/book/microneedling-face/2026-12-15",
      "/staff/sign-in",
    ];
    const staffPaths = [
      "/staff?date=2026-12-08",
      "/staff/book?treatmentId=microneedling-face&date=2026-12-15",
      "/staff/audit",
      "/staff/plan",
    ];
    const assets = Object.values(ASSETS).reduce((n, a) => n + Buffer.byteLength(a.body), 0);
    expect(assets).toBeGreaterThan(ASSETS.css.body.length + ASSETS.js.body.length);
    const all: [string, string][] = [
      ...paths.map((p): [string, string] => [p, ""]),
      ...staffPaths.map((p): [string, string] => [p, staffCookie]),
    ];
    for (const [path, cookie] of all) {
      const res = await app.request(path, { headers: cookie ? { cookie } : {} });
      expect(res.status, path).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("default-src 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toContain("unsafe-inline");
      const html = await res.text();
      expect(html, path).not.toMatch(/<script>|\sstyle="|\son[a-z]+="/);
      expect(Buffer.byteLength(html) + assets, path).toBeLessThan(50 * 1024);
    }
    const css = await app.request(ASSETS.css.path);
    expect(css.headers.get("cache-control")).toContain("immutable");
  });
});
