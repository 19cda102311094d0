import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DateTime } from "luxon";
import { afterAll, describe, expect, inject, it } from "vitest";
import { localDynamoDbClientConfig } from "../../local/services/dynamodb-local";
import { findFreePort } from "../../local/services/ports";
import { createDocumentClient } from "../../shared/adapters/dynamodb/clients";
import { DynamoFollowUpStore } from "../../shared/adapters/dynamodb/follow-up-store";
import { type TableSnapshot, tableIntegrity } from "../support/fault-injection";

/**
 * The real local stack (`tsx local/start.ts`: DynamoDB Local keeping its data in
 * DATA_DIR, cognito-local, the app, the follow-up runner) killed with SIGKILL, the
 * whole process group at once, in the middle of a run of bookings and in the
 * middle of a follow-up journey, then started again on the same DATA_DIR.
 *
 * The SES stand-in is the test run's own aws-ses-v2-local (SES_ENDPOINT): like SES
 * in AWS it does not restart with the clinic's stack, so its inbox holds every
 * email of every run and "exactly once" can be counted there, not inferred.
 */

const ROOT = resolve(__dirname, "../..");
// tsx on the Node that runs the tests (the project's Node 24), whatever is first on PATH.
const TSX_CLI = join(ROOT, "node_modules/tsx/dist/cli.mjs");
const LOCATION = "face-of-jules";
const TABLE = "clinic";
const run = randomBytes(3).toString("hex");
const emailOf = (i: number) => `rst-${run}-${i}@example.com`;
const dataDir = mkdtempSync(join(tmpdir(), "clinic-restarts-"));
const children = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of children) killGroup(child);
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dataDir, { recursive: true, force: true });
});

function killGroup(child: ChildProcess) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

interface Stack {
  baseUrl: string;
  dynamoEndpoint: string;
  output(): string;
  /** SIGKILL to the whole process group (tsx, node, the JVM, cognito-local), no warning. */
  kill(): Promise<void>;
}

async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const p = await findFreePort();
    if (!ports.includes(p)) ports.push(p);
  }
  return ports;
}

async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const [port, dynamoPort, cognitoPort] = await freePorts(3);
  const child = spawn(process.execPath, [TSX_CLI, "local/start.ts"], {
    cwd: ROOT,
    detached: true, // its own process group, so one signal reaches every child
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_PORT: String(dynamoPort),
      COGNITO_PORT: String(cognitoPort),
      SES_ENDPOINT: inject("sesEndpoint"),
      DATA_DIR: dataDir,
      RATE_LIMIT_PER_MINUTE: "0",
      LOG_LEVEL: "ERROR",
      FOLLOWUPS_POLL_MS: "3600000",
      ...env,
    },
  });
  children.add(child);
  let out = "";
  const append = (c: Buffer) => {
    out = (out + c.toString()).slice(-20_000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const ready = await Promise.race([
    (async () => {
      const until = Date.now() + 150_000;
      while (Date.now() < until && !out.includes("Ready in")) {
        await new Promise((r) => setTimeout(r, 100));
      }
      return out.includes("Ready in");
    })(),
    exited.then(() => false),
  ]);
  if (!ready) {
    killGroup(child);
    throw new Error(`The local stack did not start. Output:\n${out.slice(-3000)}`);
  }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
    output: () => out,
    async kill() {
      killGroup(child);
      await exited;
      children.delete(child);
    },
  };
}

/** The table as DynamoDB Local has it on disk now, read through a running stack. */
async function snapshot(stack: Stack): Promise<TableSnapshot> {
  const { client, doc } = createDocumentClient(localDynamoDbClientConfig(stack.dynamoEndpoint));
  try {
    return await tableIntegrity(doc, TABLE);
  } finally {
    client.destroy();
  }
}

async function dueCount(stack: Stack, asOf: Date): Promise<number> {
  const { client, doc } = createDocumentClient(localDynamoDbClientConfig(stack.dynamoEndpoint));
  try {
    return (await new DynamoFollowUpStore(doc, TABLE).due(LOCATION, asOf, 100)).length;
  } finally {
    client.destroy();
  }
}

interface Email {
  messageId: string;
  destination: { to: string[] };
  subject: string;
}
/** Every email of this file's patients in the SES stand-in (it outlives the stack). */
async function inbox(): Promise<Email[]> {
  const res = await fetch(`${inject("sesEndpoint")}/store`);
  const { emails } = (await res.json()) as { emails: Email[] };
  return emails.filter((e) => e.destination.to.some((t) => t.includes(`rst-${run}-`)));
}

/** Free starts, at least two hours apart per practitioner, from 3 to 20 days ahead. */
async function freeStarts(stack: Stack, n: number) {
  const today = DateTime.now().setZone("America/Los_Angeles");
  const from = today.plus({ days: 3 }).toISODate();
  const to = today.plus({ days: 20 }).toISODate();
  const res = await fetch(
    `${stack.baseUrl}/api/availability?treatmentId=microneedling-face&from=${from}&to=${to}`,
  );
  expect(res.status).toBe(200);
  const { slots } = (await res.json()) as { slots: { start: string; practitionerId: string }[] };
  const last = new Map<string, number>();
  const picked: { start: string; practitionerId: string }[] = [];
  for (const s of slots) {
    const at = Date.parse(s.start);
    if (at - (last.get(s.practitionerId) ?? 0) < 2 * 3600_000) continue;
    last.set(s.practitionerId, at);
    picked.push(s);
    if (picked.length === n) break;
  }
  expect(picked).toHaveLength(n);
  return picked;
}

type Attempt = {
  i: number;
  email: string;
  start: string;
  status?: number;
  body?: any;
  /** The connection died before an answer (the stack was killed). */
  noAnswer?: boolean;
  answeredAt?: number;
};

describe("restarts of the local stack", () => {
  const accepted: Attempt[] = [];
  let bookedStarts: string[] = [];

  it("killed in the middle of a run of bookings: every 201 is there after the restart, nothing half-written", async () => {
    const first = await startStack();
    const slots = await freeStarts(first, 36);
    const attempts: Attempt[] = [];
    let killed = false;
    let next = 0;
    const worker = async () => {
      while (!killed && next < slots.length) {
        const i = next++;
        const slot = slots[i] as { start: string; practitionerId: string };
        const a: Attempt = { i, email: emailOf(i), start: slot.start };
        attempts.push(a);
        try {
          const res = await fetch(`${first.baseUrl}/api/bookings`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              treatmentId: "microneedling-face",
              start: slot.start,
              practitionerId: slot.practitionerId,
              patient: { name: `Restart Patient ${i}`, email: a.email },
              consent: { aftercareEmails: true },
            }),
          });
          a.status = res.status;
          a.body = await res.json();
          a.answeredAt = Date.now();
          // Kill the instant the 12th booking is acknowledged, while others are in flight:
          // the acknowledgement closest to a crash there can be.
          if (!killed && attempts.filter((x) => x.status === 201).length >= 12) {
            killed = true;
            killedAt = Date.now();
            killing = first.kill();
          }
        } catch {
          a.noAnswer = true;
        }
      }
    };
    let killedAt = 0;
    let killing: Promise<void> | undefined;
    await Promise.all([worker(), worker(), worker(), worker()]);
    await killing;

    const ok = attempts.filter((a) => a.status === 201);
    const answeredOther = attempts.filter((a) => a.status !== undefined && a.status !== 201);
    const lost = attempts.filter((a) => a.noAnswer);
    expect(ok.length).toBeGreaterThanOrEqual(12);
    expect(answeredOther.map((a) => [a.status, a.body])).toEqual([]);
    console.log(
      `restart 1: ${attempts.length} bookings sent, ${ok.length} answered 201, ${lost.length} cut off by the kill`,
    );

    const second = await startStack();
    try {
      // Every accepted booking reads back through its manage link.
      const readBack = [];
      for (const a of ok) {
        // The patient's link (/manage/<id>?token=…), asked through the API.
        const link = new URL(a.body.manageUrl);
        expect(link.pathname).toBe(`/manage/${a.body.booking.id}`);
        const res = await fetch(
          `${second.baseUrl}/api/bookings/${a.body.booking.id}${link.search}`,
        );
        const body = (await res.json()) as any;
        readBack.push({
          email: a.email,
          answeredAt: a.answeredAt,
          status: res.status,
          start: body.booking?.start,
          bookingStatus: body.booking?.status,
        });
      }
      // Every 201 is there, however close to the kill it was answered. (DynamoDB Local
      // answers a TransactWriteItems before its SQLite COMMIT has run; the local stack's
      // commit barrier, local/services/dynamodb-local.ts, holds the answer until it has.)
      const missing = readBack.filter((r) => r.status !== 200);
      expect(
        missing.map((m) => ({ ...m, msBeforeKill: killedAt - (m.answeredAt ?? killedAt) })),
      ).toEqual([]);
      for (const a of ok) {
        const r = readBack.find((x) => x.email === a.email);
        expect(Date.parse(r?.start ?? "")).toBe(Date.parse(a.start));
        expect(r?.bookingStatus).toBe("confirmed");
      }
      const closest = Math.min(...ok.map((a) => killedAt - (a.answeredAt ?? 0)));
      // And nothing is half-written: every booking with all its locks, its patient and
      // follow-ups; no orphan lock. A cut-off request is wholly there or not at all.
      const table = await snapshot(second);
      expect(table.problems).toEqual([]);
      const mine = table.bookings.filter((b) =>
        table.patients.some((p) => p.id === b.patientId && p.email.startsWith(`rst-${run}-`)),
      );
      const emailOfBooking = (b: TableSnapshot["bookings"][number]) =>
        table.patients.find((p) => p.id === b.patientId)?.email;
      for (const a of ok) expect(mine.some((b) => b.id === a.body.booking.id)).toBe(true);
      for (const b of mine) {
        const email = emailOfBooking(b);
        expect(
          ok.some((a) => a.email === email) || lost.some((a) => a.email === email),
          `booking ${b.id} of ${email} was never accepted nor cut off`,
        ).toBe(true);
        expect(table.followUps.filter((f) => f.bookingId === b.id)).toHaveLength(3);
      }
      console.log(
        `restart 1: ${ok.length} of ${ok.length} accepted bookings read back (the last answered ${closest} ms before the kill); ${mine.length - ok.length} of ${lost.length} cut-off requests had committed`,
      );
      accepted.push(...ok);
      bookedStarts = mine.map((b) => b.start);
    } finally {
      await second.kill();
    }
  }, 400_000);

  it("killed in the middle of a follow-up journey: every due follow-up sent exactly once, none twice", async () => {
    expect(accepted.length).toBeGreaterThanOrEqual(12);
    const latest = Math.max(...bookedStarts.map((s) => Date.parse(s)));
    const asOf = new Date(latest + 45 * 86_400_000).toISOString();
    const env = { FOLLOWUPS_AS_OF: asOf, FOLLOWUPS_POLL_MS: "200" };
    // Confirmation, reminder, the plan and 7 timeline emails per booking.
    const expected = bookedStarts.length * 10;
    expect(await inbox()).toEqual([]);

    const third = await startStack(env);
    // Kill while the runner is sending: a third of the journey's emails are out.
    const until = Date.now() + 120_000;
    while ((await inbox()).length < expected / 3 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 25));
    }
    // At a random point of the runner's claim → SES → record cycle.
    await new Promise((r) => setTimeout(r, Math.random() * 60));
    const atKill = (await inbox()).length;
    await third.kill();
    expect(atKill, third.output().slice(-3000)).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(expected);

    const fourth = await startStack(env);
    let table: TableSnapshot;
    try {
      // Until nothing is due any more and the inbox stops growing.
      let stable = 0;
      let last = -1;
      const deadline = Date.now() + 300_000;
      while (stable < 3 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1000));
        const count = (await inbox()).length;
        const due = await dueCount(fourth, new Date(asOf));
        stable = due === 0 && count === last ? stable + 1 : 0;
        last = count;
      }
      expect(stable, fourth.output().slice(-2000)).toBe(3);
      table = await snapshot(fourth);
    } finally {
      await fourth.kill();
    }
    expect(table.problems).toEqual([]);

    const emails = await inbox();
    const ids = new Set(
      table.bookings
        .filter((b) =>
          table.patients.some((p) => p.id === b.patientId && p.email.startsWith(`rst-${run}-`)),
        )
        .map((b) => b.id),
    );
    const followUps = table.followUps.filter(
      (f) => ids.has(f.bookingId) && f.to?.startsWith(`rst-${run}-`),
    );
    const sent = followUps.filter((f) => f.status === "sent" && f.messageId);
    // A follow-up the kill caught between its claim and its outcome came back through the
    // due index at the end of its lease: an email closed as failed (it may have gone out),
    // the automatic completion run again. None is left `sending`.
    const stuck = followUps.filter((f) => f.status === "sending");
    const interrupted = followUps.filter(
      (f) =>
        f.status === "failed" &&
        /interrupted/.test((f as { error?: string }).error ?? "") &&
        !(f as { kind?: string }).kind?.startsWith("auto"),
    );
    const byId = new Map<string, number>();
    for (const e of emails) byId.set(e.messageId, (byId.get(e.messageId) ?? 0) + 1);

    expect(stuck, JSON.stringify(stuck)).toEqual([]);
    expect(followUps.filter((f) => f.status === "failed" && !interrupted.includes(f))).toEqual([]);
    // Every email recorded as sent is in the inbox exactly once.
    for (const f of sent)
      expect(byId.get(f.messageId as string), `${f.bookingId}/${f.step}`).toBe(1);
    // No email is in the inbox twice, and every one is a recorded send, except at most
    // the one the kill interrupted between SES's answer and the table write.
    expect([...byId.values()].every((n) => n === 1)).toBe(true);
    const recorded = new Set(sent.map((f) => f.messageId));
    const unrecorded = emails.filter((e) => !recorded.has(e.messageId));
    expect(interrupted.length).toBeLessThanOrEqual(1);
    expect(unrecorded.length).toBeLessThanOrEqual(interrupted.length);
    for (const e of unrecorded) {
      expect(interrupted.some((f) => e.destination.to.includes(f.to as string))).toBe(true);
    }
    // Every email due was sent, or is the one interrupted (closed, never sent twice):
    // every session completed, so every aftercare journey ran.
    expect(sent.length + interrupted.length).toBe(expected);
    expect(table.bookings.filter((b) => ids.has(b.id) && b.status !== "completed")).toEqual([]);
    // No two emails of one step of one booking (same recipient, same subject, unless the
    // journey repeats a subject on purpose: it does not).
    const keys = emails.map((e) => `${e.destination.to.join(",")}|${e.subject}`);
    expect(new Set(keys).size).toBe(keys.length);
    // Nothing left to send, and everything due is final.
    expect(followUps.filter((f) => f.status === "scheduled")).toEqual([]);
    const byStatus: Record<string, number> = {};
    for (const f of followUps) byStatus[f.status] = (byStatus[f.status] ?? 0) + 1;
    console.log(
      `restart 2 (mid-journey, ${atKill} of ${expected} emails out at the kill): ${emails.length} emails in SES, ` +
        `${sent.length} recorded sends, ${interrupted.length} interrupted and closed, ${stuck.length} stuck in sending, ` +
        `${emails.length - byId.size} duplicates, statuses ${JSON.stringify(byStatus)}`,
    );
    expect(emails.length).toBeGreaterThanOrEqual(expected - interrupted.length);
  }, 700_000);
});
