import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { STAFF_COOKIE } from "../functions/api/context";
import { demoClinic } from "../local/demo-clinic";
import { assertJava17 } from "../local/services/java";
import { loadDefaultPlanSteps } from "../shared/aftercare/plan-schema";
import { seedPlan } from "../shared/services/aftercare-plans";
import { patientIdFor } from "../shared/services/bookings";
import { unsubscribeUrls } from "../shared/services/links";
import { firstLoadBytes, launch } from "../tests/e2e/browser";
import { RECEPTIONIST, startApp, startServices } from "./stack";

/**
 * Page weight: the bytes of HTML, CSS and JS that the first visit to each page
 * transfers (fresh cache, as Chromium counts them on the wire). Goal: under 50 KB
 * each. Writes bench/results/pages.{json,md}; exits non-zero when a page is over.
 */
const BUDGET = 50 * 1024;
const NOW = new Date("2026-11-30T18:00:00Z");
const here = dirname(fileURLToPath(import.meta.url));
const log = (m: string) => console.log(`[pages] ${m}`);

assertJava17();
const services = await startServices(log);
const app = await startApp(services, { catalog: demoClinic, now: NOW, log });
const browser = await launch();
try {
  await seedPlan(app.deps.bookings, loadDefaultPlanSteps());
  const email = "weigh.pages@example.com";
  const res = await fetch(`${app.baseUrl}/api/bookings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      treatmentId: "microneedling-face",
      start: "2026-12-08T10:00:00-08:00",
      patient: { name: "Weigh Pages", email },
      consent: { aftercareEmails: true },
    }),
  });
  if (res.status !== 201) throw new Error(`booking: ${res.status}`);
  const { booking, manageUrl } = (await res.json()) as {
    booking: { id: string };
    manageUrl: string;
  };
  const manage = new URL(manageUrl);
  const token = manage.searchParams.get("token") ?? "";
  const q = `token=${encodeURIComponent(token)}`;
  const unsubscribe = new URL(
    unsubscribeUrls(app.deps, patientIdFor(app.deps.bookings.locationId, email), NOW).page,
  );

  const signIn = await fetch(`${app.baseUrl}/api/staff/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: RECEPTIONIST.email, password: RECEPTIONIST.password }),
  });
  const { token: staffToken } = (await signIn.json()) as { token: string };
  await browser.context.addCookies([
    { name: STAFF_COOKIE, value: staffToken, domain: "127.0.0.1", path: "/" },
  ]);

  const pages: [string, string][] = [
    ["Treatments", "/book"],
    ["Month calendar", "/book/microneedling-face?month=2026-12"],
    ["Day: times and details", "/book/microneedling-face/2026-12-09"],
    ["Booking (confirmation, manage)", `${manage.pathname}?${q}&done=booked`],
    ["Reschedule calendar", `/manage/${booking.id}/reschedule?${q}`],
    ["Reschedule times", `/manage/${booking.id}/reschedule/2026-12-09?${q}`],
    ["Cancel", `/manage/${booking.id}/cancel?${q}`],
    ["Unsubscribe", `${unsubscribe.pathname}${unsubscribe.search}`],
    ["Console sign-in", "/staff/sign-in"],
    ["Console schedule", "/staff?date=2026-12-08"],
    ["Console book", "/staff/book?treatmentId=microneedling-face&date=2026-12-09"],
    ["Console booking", `/staff/bookings/${booking.id}`],
    ["Console patient", `/staff/patients?email=${encodeURIComponent(email)}`],
    ["Console overrides", "/staff/audit"],
    ["Console aftercare plan", "/staff/plan"],
  ];
  const rows = [];
  for (const [name, path] of pages) {
    const bytes = await firstLoadBytes(browser.context, `${app.baseUrl}${path}`);
    rows.push({ name, path: path.replace(/token=[^&]+/, "token=…"), ...bytes });
    log(`${name}: ${(bytes.total / 1024).toFixed(1)} KB`);
  }
  const over = rows.filter((r) => r.total >= BUDGET);
  const kb = (n: number) => (n / 1024).toFixed(1);
  const md = [
    "# Page weight",
    "",
    `First load of each page in Chromium with an empty cache: HTML, CSS and JS bytes on the wire (uncompressed; the local server does not compress). Goal: under ${BUDGET / 1024} KB each. Measured ${new Date().toISOString()}.`,
    "",
    "| page | HTML KB | CSS KB | JS KB | total KB | under 50 KB |",
    "|---|---:|---:|---:|---:|---|",
    ...rows.map(
      (r) =>
        `| ${r.name} | ${kb(r.html)} | ${kb(r.css)} | ${kb(r.js)} | ${kb(r.total)} | ${r.total < BUDGET ? "yes" : "**no**"} |`,
    ),
    "",
    `Largest: ${kb(Math.max(...rows.map((r) => r.total)))} KB.`,
    "",
  ].join("\n");
  writeFileSync(
    join(here, "results", "pages.json"),
    `${JSON.stringify({ budgetBytes: BUDGET, pages: rows }, null, 2)}\n`,
  );
  writeFileSync(join(here, "results", "pages.md"), md);
  log("wrote bench/results/pages.{json,md}");
  if (over.length) {
    console.error(`Over budget: ${over.map((r) => r.name).join(", ")}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  await app.close();
  await services.stop();
}
