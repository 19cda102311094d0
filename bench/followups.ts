import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { silentLogger } from "../functions/api/logger";
import { composeCore } from "../local/compose";
import { demoClinic } from "../local/demo-clinic";
import { startDynamoDbLocal } from "../local/services/dynamodb-local";
import { findFreePort } from "../local/services/ports";
import type { RunningService } from "../local/services/running-service";
import { startSesLocal } from "../local/services/ses-local";
import { writeCatalog } from "../shared/adapters/dynamodb/catalog-writer";
import { ensureTable } from "../shared/adapters/dynamodb/ensure-table";
import { RoundTripCounter } from "../shared/adapters/dynamodb/round-trips";
import { loadDefaultPlanSteps } from "../shared/aftercare/plan-schema";
import type { Catalog } from "../shared/domain/catalog";
import { seedPlan } from "../shared/services/aftercare-plans";
import { changeStatus, createBooking } from "../shared/services/bookings";
import { type FollowUpOutcome, runFollowUp } from "../shared/services/follow-ups";
import { percentile } from "./stats";

/**
 * The follow-up sender against DynamoDB Local and aws-ses-v2-local: DynamoDB round
 * trips per email sent (goal: at most 2) and emails per second through the same
 * handler the Scheduler target uses. Results: bench/results/followups.{md,json}.
 */
const SESSIONS = Number(process.env.BENCH_FOLLOWUP_SESSIONS ?? 40);

const everyDay = Object.fromEntries(
  ["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [{ start: "08:00", end: "20:00" }]]),
);
const catalog: Catalog = {
  ...demoClinic,
  closures: [],
  practitioners: demoClinic.practitioners.map((p) => ({ ...p, weeklyHours: everyDay })),
};

async function main() {
  const services: RunningService[] = [];
  try {
    const [dynamo, ses] = await Promise.all([
      findFreePort().then((port) => startDynamoDbLocal({ port })),
      findFreePort().then((port) => startSesLocal({ port })),
    ]);
    services.push(dynamo, ses);
    let now = new Date("2026-11-30T18:00:00Z");
    const core = composeCore({
      dynamoEndpoint: dynamo.endpoint,
      sesEndpoint: ses.endpoint,
      tableName: "bench_followups",
      locationId: catalog.clinic.locationId,
      linkSecret: randomBytes(32).toString("hex"),
      publicBaseUrl: "https://clinic.test",
      logger: silentLogger,
      clock: { now: () => now },
    });
    await ensureTable(core.dynamo.client, "bench_followups");
    await writeCatalog(core.dynamo.doc, "bench_followups", catalog);
    await seedPlan(core.bookings, loadDefaultPlanSteps());

    // Send everything due by `asOf`, each at its own due time, counting round trips per call.
    const counter = new RoundTripCounter().attach(core.dynamo.client);
    const perEmail: number[] = [];
    const perKind = new Map<string, number[]>();
    const outcomes: Record<string, number> = {};
    const sendMs: number[] = [];
    let busyMs = 0;
    const sendDue = async (asOf: Date) => {
      for (;;) {
        const due = await core.stores.followUps.due(catalog.clinic.locationId, asOf, 100);
        if (due.length === 0) return;
        for (const d of due) {
          now = new Date(d.dueAt);
          counter.reset();
          const t0 = performance.now();
          const outcome: FollowUpOutcome = await runFollowUp(core.followUps, {
            locationId: catalog.clinic.locationId,
            bookingId: d.bookingId,
            step: d.step,
          });
          const ms = performance.now() - t0;
          busyMs += ms;
          sendMs.push(ms);
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          if (outcome === "sent") {
            perEmail.push(counter.total());
            const kind = d.step.replace(/^(confirmation|reminder|auto-complete)-\d+$/, "$1");
            perKind.set(kind, [...(perKind.get(kind) ?? []), counter.total()]);
          }
        }
      }
    };

    // Sessions on consecutive days at 10:00 local: booked (confirmations go out), then
    // completed at their start (the reminders are sent first), then six weeks played out.
    const staff = { kind: "staff" as const, id: "bench" };
    const booked = [];
    for (let i = 0; i < SESSIONS; i++) {
      booked.push(
        await createBooking(core.bookings, {
          treatmentId: "microneedling-face",
          start: new Date(Date.UTC(2026, 11, 1 + i, 18, 0, 0)),
          practitionerId: "jules",
          patient: { name: `Bench Patient ${i}`, email: `bench${i}@example.com` },
          consent: { aftercareEmails: true },
          actor: staff,
        }),
      );
    }
    await sendDue(new Date("2026-11-30T18:00:00Z"));
    for (const b of booked) {
      const at = new Date(Date.parse(b.start) + 5 * 60_000);
      await sendDue(at);
      now = at;
      await changeStatus(core.bookings, { bookingId: b.id, action: "complete", actor: staff });
    }
    await sendDue(new Date(Date.UTC(2026, 11, 1 + SESSIONS + 45)));
    const seconds = busyMs / 1000;
    sendMs.sort((x, y) => x - y);
    const sent = outcomes.sent ?? 0;
    const stored = ((await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: unknown[] })
      .emails.length;
    const max = Math.max(...perEmail);
    const mean = perEmail.reduce((a, b) => a + b, 0) / perEmail.length;
    const kinds = [...perKind.entries()].map(([k, v]) => ({ step: k, roundTrips: Math.max(...v) }));
    const result = {
      at: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      sessions: SESSIONS,
      outcomes,
      emailsInSes: stored,
      emailsPerSecond: sent / seconds,
      sendLatencyMs: { p50: percentile(sendMs, 50), p99: percentile(sendMs, 99) },
      roundTripsPerEmail: { mean, max },
      roundTripsByStep: kinds,
    };
    writeFileSync("bench/results/followups.json", `${JSON.stringify(result, null, 2)}\n`);
    const md = `# Follow-up sender benchmark

Run ${result.at}: Node ${result.node}, ${result.cpus} CPUs; DynamoDB Local (in memory) and aws-ses-v2-local on this machine. ${SESSIONS} completed sessions, each with its whole aftercare timeline, sent one after another through \`runFollowUp\` (the Scheduler target's handler), each at its due time.

| Figure | Value | Goal |
|---|---|---|
| Emails sent (and found in aws-ses-v2-local) | ${sent} (${stored}) | every one once |
| Emails per second, one sender (time inside the handler) | ${result.emailsPerSecond.toFixed(1)} | — |
| Send latency p50 / p99 | ${result.sendLatencyMs.p50.toFixed(1)} ms / ${result.sendLatencyMs.p99.toFixed(1)} ms | — |
| DynamoDB round trips per email, mean / max | ${mean.toFixed(2)} / ${max} | ≤ 2 (claim + record) |
| Round trips by step (max) | ${kinds.map((k) => `${k.step} ${k.roundTrips}`).join(", ")} | each at most 2 |
| Other outcomes | ${
      Object.entries(outcomes)
        .filter(([k]) => k !== "sent")
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none"
    } | — |
`;
    writeFileSync("bench/results/followups.md", md);
    console.log(md);
  } finally {
    await Promise.allSettled(services.map((s) => s.stop()));
  }
}

await main();
