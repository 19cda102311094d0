import { afterAll, beforeAll, it } from "vitest";
import { bookingBody, startTestApp, type TestApp } from "../support/test-app";
let app: TestApp;
beforeAll(async () => { app = await startTestApp({ now: "2026-11-30T18:00:00Z" }); });
afterAll(() => app.close());
const huge = () => JSON.stringify(bookingBody({ patient: { name: "C".repeat(100_000), email: "a@b.co" } }));
async function probe(label: string, fn: () => Promise<Response>) {
  const r = await fn(); console.log(label, r.status, r.headers.get("connection"), (await r.text()).slice(0, 80));
  for (const wait of [0, 100, 700]) {
    await new Promise((res) => setTimeout(res, wait));
    try { const g = await app.request("/health"); console.log("  after", wait, g.status); }
    catch (e) { console.log("  after", wait, "FAILED", (e as Error).cause); }
  }
}
it("probe", async () => {
  await probe("huge CL", () => app.request("/api/bookings", { method: "POST", body: huge(), headers: { "content-type": "application/json" } }));
  await probe("huge CL cancel", () => app.request("/api/bookings/x/cancel", { method: "POST", body: huge(), headers: { "content-type": "application/json" } }));
  const bytes = new TextEncoder().encode(huge());
  await probe("stream", () => fetch(`${app.baseUrl}/api/bookings`, { method: "POST", headers: { "content-type": "application/json" }, body: new ReadableStream({ start(c) { for (let i = 0; i < bytes.length; i += 8192) c.enqueue(bytes.slice(i, i + 8192)); c.close(); } }), duplex: "half" } as RequestInit));
  await probe("415", () => app.request("/api/bookings", { method: "POST", body: JSON.stringify(bookingBody()), headers: { "content-type": "text/plain" } }));
});
