import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  InternalServerException,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { serve } from "@hono/node-server";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApp } from "../../functions/api/app";
import { localSesClient } from "../../local/compose";
import { SesRawMailer } from "../../shared/adapters/mail/ses-raw-mailer";
import {
  EventBridgeFollowUpScheduler,
  type SchedulerTarget,
} from "../../shared/adapters/scheduler/eventbridge-scheduler";
import { sweepOverdueFollowUps } from "../../shared/services/follow-up-repair";
import { type FollowUpDeps, runFollowUp } from "../../shared/services/follow-ups";
import {
  cancelTransactions,
  failAfterAcceptance,
  sesError,
  tableIntegrity,
  throttleDynamo,
} from "../support/fault-injection";
import { bookingBody, emailsTo, startTestApp, type TestApp } from "../support/test-app";

/**
 * Faults injected into the real adapters (the SDK clients' middleware, inside
 * their retry loops) on the real app over HTTP against DynamoDB Local and
 * aws-ses-v2-local: what the caller gets, what the table holds, how many emails
 * left. Only EventBridge Scheduler, which has no local stand-in, is mocked.
 */

const LOCATION = "face-of-jules";
const address = (tag: string) => `flt-${tag}-${randomBytes(4).toString("hex")}@example.com`;

/** Distinct free starts for Jules (weekdays of December 2026, a session blocks 75 min). */
const slots = (() => {
  const days = ["07", "08", "09", "10", "11", "14", "15", "16", "17", "18", "21", "22", "23"];
  const times = ["09:00", "11:00", "13:00", "15:00"];
  return days.flatMap((d) => times.map((t) => `2026-12-${d}T${t}:00-08:00`));
})();
const nextSlot = () => {
  const s = slots.shift();
  if (!s) throw new Error("No more test slots");
  return s;
};

async function json(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

async function book(app: TestApp, start: string, email: string, headers?: Record<string, string>) {
  const res = await app.request("/api/bookings", {
    method: "POST",
    json: bookingBody({ start, patient: { name: "Flo Fault", email } }),
    ...(headers ? { headers } : {}),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await json(res) };
}

/** The booking rows of one patient's email, straight from the table. */
async function rowsFor(app: TestApp, start: string) {
  const all = await tableIntegrity(app.dynamo.doc, app.tableName);
  const bookings = all.bookings.filter((b) => b.start === new Date(start).toISOString());
  const locks = all.locks.filter((l) =>
    bookings.length
      ? bookings.some((b) => b.id === l.bookingId)
      : l.instant === new Date(start).toISOString(),
  );
  return { all, bookings, locks };
}

// ---------------------------------------------------------------------------

describe("DynamoDB faults on the booking path", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
  });
  afterAll(async () => {
    // Whatever the faults did, the table is whole: no booking without its locks and
    // patient record, no lock without its booking.
    const check = await tableIntegrity(app.dynamo.doc, app.tableName);
    expect(check.problems).toEqual([]);
    expect(check.bookings.length).toBeGreaterThanOrEqual(5);
    await app.close();
  });

  it("the patient read throttled twice: the SDK retries it and the booking is 201", async () => {
    const start = nextSlot();
    const fault = throttleDynamo(app.dynamo.client, ["GetItemCommand"], 2);
    try {
      const r = await book(app, start, address("read-2"));
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(fault.count()).toBe(2);
      expect(fault.seen()).toBe(3);
    } finally {
      fault.remove();
    }
    const { bookings, locks, all } = await rowsFor(app, start);
    expect(bookings).toHaveLength(1);
    expect(locks).toHaveLength(5);
    expect(all.problems).toEqual([]);
  });

  it("the patient read throttled past the SDK's retries: 503 SERVICE_BUSY with Retry-After, nothing written", async () => {
    const start = nextSlot();
    const email = address("read-always");
    const fault = throttleDynamo(app.dynamo.client, ["GetItemCommand"], Infinity);
    let r: Awaited<ReturnType<typeof book>>;
    try {
      r = await book(app, start, email);
    } finally {
      fault.remove();
    }
    expect(r.status, JSON.stringify(r.body)).toBe(503);
    expect(r.body.error.code).toBe("SERVICE_BUSY");
    expect(r.body.error.message).toMatch(/busy/i);
    expect(JSON.stringify(r.body)).not.toMatch(/Provisioned|Throughput|dynamo/i);
    expect(Number(r.retryAfter)).toBeGreaterThan(0);
    // The SDK tried 4 times (its default for DynamoDB) before giving up.
    expect(fault.count()).toBe(4);
    // The caller got a polite 503; whoever is on call sees the push-back in the log.
    expect(app.logger.lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: "busy: answered 503",
        fields: expect.objectContaining({ code: "SERVICE_BUSY" }),
      }),
    );
    const { bookings, locks, all } = await rowsFor(app, start);
    expect(bookings).toEqual([]);
    expect(locks).toEqual([]);
    expect(all.patients.filter((p) => p.email === email)).toEqual([]);
    // The same request once the throttling has passed: booked.
    expect((await book(app, start, email)).status).toBe(201);
  });

  it("the manage-link read throttled past the retries: 503, not 500; then 200", async () => {
    const created = await book(app, nextSlot(), address("manage-read"));
    expect(created.status).toBe(201);
    const manage = new URL(created.body.manageUrl);
    const path = `/api/bookings/${created.body.booking.id}${manage.search}`;
    const fault = throttleDynamo(
      app.dynamo.client,
      ["GetItemCommand"],
      Infinity,
      "ThrottlingException",
    );
    let status: number;
    let body: any;
    try {
      const res = await app.request(path);
      status = res.status;
      body = await json(res);
    } finally {
      fault.remove();
    }
    expect(status).toBe(503);
    expect(body.error.code).toBe("SERVICE_BUSY");
    expect((await app.request(path)).status).toBe(200);
  });

  it("TransactWriteItems throttled 3 times: the SDK retries, 201, one booking with its 5 locks", async () => {
    const start = nextSlot();
    const fault = throttleDynamo(app.dynamo.client, ["TransactWriteItemsCommand"], 3);
    try {
      const r = await book(app, start, address("tx-3"));
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(fault.count()).toBe(3);
    } finally {
      fault.remove();
    }
    const { bookings, locks } = await rowsFor(app, start);
    expect(bookings).toHaveLength(1);
    expect(locks).toHaveLength(5);
  });

  it("TransactWriteItems always throttled: 503 SERVICE_BUSY, nothing written, the slot still free", async () => {
    const start = nextSlot();
    const email = address("tx-always");
    const fault = throttleDynamo(
      app.dynamo.client,
      ["TransactWriteItemsCommand"],
      Infinity,
      "ThrottlingException",
    );
    let r: Awaited<ReturnType<typeof book>>;
    try {
      r = await book(app, start, email);
    } finally {
      fault.remove();
    }
    expect(r.status, JSON.stringify(r.body)).toBe(503);
    expect(r.body.error.code).toBe("SERVICE_BUSY");
    expect(Number(r.retryAfter)).toBeGreaterThan(0);
    const { bookings, locks, all } = await rowsFor(app, start);
    expect(bookings).toEqual([]);
    expect(locks).toEqual([]);
    expect(all.patients.filter((p) => p.email === email)).toEqual([]);
    expect((await book(app, start, address("tx-always-next"))).status).toBe(201);
  });

  it("a transaction cancelled for ThrottlingError on one item: 503 SERVICE_BUSY, not 500, nothing written", async () => {
    const start = nextSlot();
    const fault = cancelTransactions(app.dynamo.client, Infinity, "ThrottlingError");
    let r: Awaited<ReturnType<typeof book>>;
    try {
      r = await book(app, start, address("tx-cancel-throttle"));
    } finally {
      fault.remove();
    }
    expect(r.status, JSON.stringify(r.body)).toBe(503);
    expect(r.body.error.code).toBe("SERVICE_BUSY");
    expect(fault.count()).toBeGreaterThanOrEqual(1);
    const { bookings, locks } = await rowsFor(app, start);
    expect(bookings).toEqual([]);
    expect(locks).toEqual([]);
  });

  it("TransactionConflict from a concurrent writer, twice: retried with fresh reads, 201", async () => {
    const start = nextSlot();
    const fault = cancelTransactions(app.dynamo.client, 2, "TransactionConflict");
    try {
      const r = await book(app, start, address("conflict-2"));
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(fault.count()).toBe(2);
    } finally {
      fault.remove();
    }
    const { bookings, locks } = await rowsFor(app, start);
    expect(bookings).toHaveLength(1);
    expect(locks).toHaveLength(5);
  });

  it("endless TransactionConflicts: 503 CONFLICT_RETRY with Retry-After after 4 tries, nothing written", async () => {
    const start = nextSlot();
    const fault = cancelTransactions(app.dynamo.client, Infinity, "TransactionConflict");
    let r: Awaited<ReturnType<typeof book>>;
    try {
      r = await book(app, start, address("conflict-always"));
    } finally {
      fault.remove();
    }
    expect(r.status, JSON.stringify(r.body)).toBe(503);
    expect(r.body.error.code).toBe("CONFLICT_RETRY");
    expect(Number(r.retryAfter)).toBeGreaterThan(0);
    expect(fault.count()).toBe(4);
    const { bookings, locks } = await rowsFor(app, start);
    expect(bookings).toEqual([]);
    expect(locks).toEqual([]);
  });

  it("a reschedule meeting TransactionConflicts moves every lock or none: no orphan at the old time", async () => {
    const from = nextSlot();
    const to = nextSlot();
    const created = await book(app, from, address("move"));
    expect(created.status).toBe(201);
    const token = new URL(created.body.manageUrl).searchParams.get("token");
    const move = (start: string) =>
      app.request(`/api/bookings/${created.body.booking.id}/reschedule?token=${token}`, {
        method: "POST",
        json: { start },
      });

    const endless = cancelTransactions(app.dynamo.client, Infinity, "TransactionConflict");
    let refused: Response;
    try {
      refused = await move(to);
    } finally {
      endless.remove();
    }
    expect(refused.status).toBe(503);
    let rows = await rowsFor(app, from);
    expect(rows.bookings).toHaveLength(1);
    expect(rows.locks.map((l) => l.instant).sort()[0]).toBe(new Date(from).toISOString());
    expect((await rowsFor(app, to)).locks).toEqual([]);

    const twice = cancelTransactions(app.dynamo.client, 2, "TransactionConflict");
    try {
      expect((await move(to)).status).toBe(200);
    } finally {
      twice.remove();
    }
    rows = await rowsFor(app, to);
    expect(rows.bookings).toHaveLength(1);
    expect(rows.locks).toHaveLength(5);
    expect(rows.locks.every((l) => l.bookingId === created.body.booking.id)).toBe(true);
    expect(rows.all.locks.filter((l) => l.instant === new Date(from).toISOString())).toEqual([]);
    expect(rows.all.problems).toEqual([]);
  });

  it("a transaction that committed but whose answer was lost: the SDK's retry still answers 201, one booking", async () => {
    const start = nextSlot();
    const email = address("lost-answer");
    const fault = failAfterAcceptance(app.dynamo.client as never, {
      commands: ["TransactWriteItemsCommand"],
      times: 1,
    });
    let r: Awaited<ReturnType<typeof book>>;
    try {
      r = await book(app, start, email);
    } finally {
      fault.remove();
    }
    // The SDK retried it (with the idempotency token it puts on every TransactWriteItems,
    // so DynamoDB answers the retry as the first, instead of failing its own checks).
    expect(fault.count()).toBe(1);
    expect(fault.seen()).toBe(2);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const { bookings, locks, all } = await rowsFor(app, start);
    expect(bookings.map((b) => b.id)).toEqual([r.body.booking.id]);
    expect(locks).toHaveLength(5);
    const patient = all.patients.find((p) => p.email === email);
    expect(patient?.sessions.map((s) => s.bookingId)).toEqual([r.body.booking.id]);
  });
});

// ---------------------------------------------------------------------------

describe("SES faults through the real SES adapter and aws-ses-v2-local", () => {
  // The follow-ups' SES client, as the followups function builds it: no SDK retries.
  const sesClient = localSesClient(inject("sesEndpoint"), { maxAttempts: 1 });
  let app: TestApp;
  let token: string;
  const waits: number[] = [];
  const deps = (): FollowUpDeps => ({
    ...app.followUps,
    sleep: async (ms) => void waits.push(ms),
  });

  beforeAll(async () => {
    app = await startTestApp({
      now: "2026-11-30T18:00:00Z",
      rawMailer: new SesRawMailer(sesClient),
    });
    token = await app.staffToken("receptionist");
  });
  afterAll(async () => {
    sesClient.destroy();
    await app.close();
  });

  /** A staff booking whose confirmation is due now. */
  async function confirmationDue(tag: string) {
    app.clock.set("2026-11-30T18:00:00Z");
    waits.length = 0;
    const email = address(tag);
    const res = await app.request("/api/staff/bookings", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      json: bookingBody({ start: nextSlot(), patient: { name: "Sam Send", email } }),
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    const id = body.booking.id as string;
    return { email, id, event: { locationId: LOCATION, bookingId: id, step: "confirmation-1" } };
  }

  /** What staff see of a follow-up (GET /api/staff/bookings/:id/follow-ups). */
  async function staffView(id: string, step: string) {
    const res = await app.request(`/api/staff/bookings/${id}/follow-ups`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const { followUps } = (await res.json()) as {
      followUps: { step: string; status: string; messageId?: string; error?: string }[];
    };
    return followUps.find((f) => f.step === step);
  }

  it("SES throttling twice, then accepted: one email, recorded with its message id", async () => {
    const { email, id, event } = await confirmationDue("ses-throttle");
    const fault = sesError(sesClient, "throttling", 2);
    try {
      expect(await runFollowUp(deps(), event)).toBe("sent");
      expect(fault.count()).toBe(2);
      expect(fault.seen()).toBe(3);
    } finally {
      fault.remove();
    }
    expect(waits).toHaveLength(2);
    const mails = await emailsTo(email);
    expect(mails).toHaveLength(1);
    expect(await staffView(id, "confirmation-1")).toMatchObject({
      status: "sent",
      messageId: mails[0]?.messageId,
    });
  });

  it("SES 500 three times, then accepted: one email", async () => {
    const { email, id, event } = await confirmationDue("ses-5xx");
    const fault = sesError(sesClient, "server-error", 3);
    try {
      expect(await runFollowUp(deps(), event)).toBe("sent");
      expect(fault.count()).toBe(3);
    } finally {
      fault.remove();
    }
    const mails = await emailsTo(email);
    expect(mails).toHaveLength(1);
    expect((await staffView(id, "confirmation-1"))?.messageId).toBe(mails[0]?.messageId);
  });

  it("SES 500 on every attempt: failed and visible to staff, no email, not retried later", async () => {
    const { email, id, event } = await confirmationDue("ses-5xx-always");
    const fault = sesError(sesClient, "server-error", Infinity);
    try {
      expect(await runFollowUp(deps(), event)).toBe("failed");
      expect(fault.count()).toBe(4);
      app.clock.set("2026-11-30T19:00:00Z");
      expect(await runFollowUp(deps(), event)).toBe("nothing-to-do");
      expect(fault.count()).toBe(4);
    } finally {
      fault.remove();
    }
    expect(await emailsTo(email)).toEqual([]);
    const view = await staffView(id, "confirmation-1");
    expect(view?.status).toBe("failed");
    expect(view?.error).toMatch(/refused it: InternalFailure \(500\)/);
  });

  it("a timeout after SES accepted the email: failed and visible, never sent again; exactly one email", async () => {
    const { email, id, event } = await confirmationDue("ses-timeout");
    const fault = failAfterAcceptance(sesClient, { commands: ["SendRawEmailCommand"], times: 1 });
    try {
      expect(await runFollowUp(deps(), event)).toBe("failed");
      expect(fault.count()).toBe(1);
      // The Scheduler's retry of the same event, an hour later, and the repair sweep.
      app.clock.set("2026-11-30T19:00:00Z");
      expect(await runFollowUp(deps(), event)).toBe("nothing-to-do");
      expect((await sweepOverdueFollowUps(deps(), LOCATION)).found).toBe(0);
      expect(fault.seen()).toBe(1);
    } finally {
      fault.remove();
    }
    // It did reach SES: the patient has it once, and staff are told it may have gone.
    expect(await emailsTo(email)).toHaveLength(1);
    const view = await staffView(id, "confirmation-1");
    expect(view?.status).toBe("failed");
    expect(view?.error).toMatch(/did not answer \(TimeoutError\).*may have been delivered/);
  });

  it("SES accepted but recording it failed (DynamoDB throttled): never called refused, never sent again", async () => {
    const { email, id, event } = await confirmationDue("record-fails");
    // The claim is the first UpdateItem; the outcome write after the send is throttled
    // through all of the SDK's attempts (DynamoDB is answering again right after).
    const fault = throttleDynamo(app.dynamo.client, ["UpdateItemCommand"], 4, undefined, 1);
    try {
      await expect(runFollowUp(deps(), event)).rejects.toMatchObject({ code: "SERVICE_BUSY" });
      expect(fault.count()).toBe(4);
      expect(fault.seen()).toBe(5);
    } finally {
      fault.remove();
    }
    // Not recorded as refused by SES: it went out.
    expect((await staffView(id, "confirmation-1"))?.status).toBe("sending");
    expect(await emailsTo(email)).toHaveLength(1);
    // Redelivered a minute later: still claimed, nothing sent; after 2 minutes: closed as failed.
    app.clock.set("2026-11-30T18:01:00Z");
    expect(await runFollowUp(deps(), event)).toBe("nothing-to-do");
    app.clock.set("2026-11-30T18:03:00Z");
    expect(await runFollowUp(deps(), event)).toBe("nothing-to-do");
    expect(await emailsTo(email)).toHaveLength(1);
    const view = await staffView(id, "confirmation-1");
    expect(view?.status).toBe("failed");
    expect(view?.error).toMatch(/interrupted.*may have been delivered/);
  });
});

// ---------------------------------------------------------------------------

describe("a Scheduler create that fails after the booking was written", () => {
  const target: SchedulerTarget = {
    groupName: "clinic-test-followups",
    targetArn: "arn:aws:lambda:us-west-2:111111111111:function:clinic-test-followups",
    roleArn: "arn:aws:iam::111111111111:role/clinic-test-scheduler",
    deadLetterQueueArn: "arn:aws:sqs:us-west-2:111111111111:clinic-test-followups-dlq",
  };
  const schedulerClient = new SchedulerClient({
    region: "us-west-2",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const mock = mockClient(schedulerClient);
  const opened: (() => Promise<void>)[] = [];
  afterAll(async () => {
    mock.restore();
    await Promise.all(opened.map((close) => close()));
  });

  /** The app as deployed, on its own table: every booking write is followed by its schedules. */
  async function deployedApp() {
    const app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
    const scheduler = new EventBridgeFollowUpScheduler(schedulerClient, target, app.clock);
    const bookings = { ...app.deps.bookings, scheduler };
    const deps: FollowUpDeps = { ...app.followUps, bookings, sleep: async () => {} };
    const server = serve({
      fetch: createApp({ ...app.deps, bookings }).fetch,
      port: 0,
      hostname: "127.0.0.1",
    });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    opened.push(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    });
    return { app, deps, baseUrl };
  }

  const creates = () =>
    mock
      .commandCalls(CreateScheduleCommand)
      .map((c) => c.args[0].input as CreateScheduleCommandInput);

  it("the booking is 201, its follow-ups stay in the table, and the sweep sends each once when overdue", async () => {
    const { app, deps, baseUrl } = await deployedApp();
    mock.reset();
    mock.on(CreateScheduleCommand).rejects(
      new InternalServerException({
        message: "Scheduler is unavailable",
        Message: "Scheduler is unavailable",
        $metadata: { httpStatusCode: 500 },
      }),
    );
    const email = address("sched-repair");
    const start = "2026-12-08T10:00:00-08:00";
    const res = await fetch(`${baseUrl}/api/bookings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(bookingBody({ start, patient: { name: "Rey Pair", email } })),
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    const id = body.booking.id as string;

    // The three schedules it tried, exactly: the confirmation a minute ahead (10:01 PST).
    const tried = creates().sort((a, b) => ((a.Name ?? "") < (b.Name ?? "") ? -1 : 1));
    expect(tried.map((c) => [c.Name, c.ScheduleExpression, c.Target?.Input])).toEqual([
      [
        `fu-${id}-auto-complete-1`,
        "at(2026-12-08T13:00:00)",
        JSON.stringify({ locationId: LOCATION, bookingId: id, step: "auto-complete-1" }),
      ],
      [
        `fu-${id}-confirmation-1`,
        "at(2026-11-30T10:01:00)",
        JSON.stringify({ locationId: LOCATION, bookingId: id, step: "confirmation-1" }),
      ],
      [
        `fu-${id}-reminder-1`,
        "at(2026-12-07T10:00:00)",
        JSON.stringify({ locationId: LOCATION, bookingId: id, step: "reminder-1" }),
      ],
    ]);
    for (const c of tried) {
      expect(c).toMatchObject({
        GroupName: target.groupName,
        ScheduleExpressionTimezone: "America/Los_Angeles",
        Target: { Arn: target.targetArn, RoleArn: target.roleArn },
      });
    }
    expect(
      app.logger.lines.filter(
        (l) => l.message === "schedule not synced" && String(l.fields.followUpId).startsWith(id),
      ),
    ).toHaveLength(3);
    const stored = await app.stores.reads.bookingWithFollowUps(LOCATION, id);
    expect(stored?.followUps.map((f) => [f.step, f.status]).sort()).toEqual([
      ["auto-complete-1", "scheduled"],
      ["confirmation-1", "scheduled"],
      ["reminder-1", "scheduled"],
    ]);

    // Within the grace period the schedule might still fire: the sweep leaves it alone.
    app.clock.set("2026-11-30T18:09:00Z");
    expect(await sweepOverdueFollowUps(deps, LOCATION)).toMatchObject({ found: 0 });
    expect(await emailsTo(email)).toEqual([]);

    // 11 minutes overdue: its schedule never fired. The sweep sends it, once.
    app.clock.set("2026-11-30T18:11:00Z");
    const first = await sweepOverdueFollowUps(deps, LOCATION);
    expect(first).toMatchObject({ found: 1, errors: 0 });
    expect(first.outcomes.sent).toBe(1);
    const mails = await emailsTo(email);
    expect(mails).toHaveLength(1);
    expect((await app.stores.followUps.get(LOCATION, id, "confirmation-1"))?.messageId).toBe(
      mails[0]?.messageId,
    );
    expect(
      app.logger.lines.filter(
        (l) => l.message === "overdue follow-up repaired" && l.fields.bookingId === id,
      ),
    ).toHaveLength(1);

    // A second sweep, and the Scheduler's late delivery if it ever comes: nothing more.
    app.clock.set("2026-11-30T18:26:00Z");
    expect(await sweepOverdueFollowUps(deps, LOCATION)).toMatchObject({ found: 0 });
    expect(
      await runFollowUp(deps, { locationId: LOCATION, bookingId: id, step: "confirmation-1" }),
    ).toBe("nothing-to-do");
    expect(await emailsTo(email)).toHaveLength(1);
  });

  it("the sweep carries a whole journey whose schedules all failed: reminder, completion, aftercare", async () => {
    const { app, deps, baseUrl } = await deployedApp();
    mock.reset();
    mock
      .on(CreateScheduleCommand)
      .rejects(new InternalServerException({ message: "down", Message: "down", $metadata: {} }));
    app.clock.set("2026-11-30T18:00:00Z");
    const email = address("sched-journey");
    const res = await fetch(`${baseUrl}/api/bookings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(
        bookingBody({ start: "2026-12-09T10:00:00-08:00", patient: { name: "Jo Urney", email } }),
      ),
    });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { booking: { id: string } }).booking.id;

    // A sweep every 15 minutes from booking until the day-3 email, fast-forwarded:
    // only the instants where something is overdue matter, so sweep just after them.
    const sweepAt = async (iso: string) => {
      app.clock.set(iso);
      return sweepOverdueFollowUps(deps, LOCATION);
    };
    expect((await sweepAt("2026-11-30T18:15:00Z")).outcomes.sent).toBe(1); // confirmation
    expect((await sweepAt("2026-12-08T18:15:00Z")).outcomes.sent).toBe(1); // reminder (10:00 day before)
    const completion = await sweepAt("2026-12-09T21:15:00Z"); // 13:15 local: end + 2 h + 15 min
    expect(completion.outcomes.done).toBe(1);
    // The completion tried to schedule the aftercare (and failed again): still in the table.
    expect(creates().filter((c) => c.Name?.startsWith(`fu-${id}-day-`)).length).toBeGreaterThan(0);
    expect((await sweepAt("2026-12-09T21:30:00Z")).outcomes.sent).toBe(1); // plan
    expect((await sweepAt("2026-12-10T19:15:00Z")).outcomes.sent).toBe(1); // day 2, hour 24
    expect((await sweepAt("2026-12-11T19:15:00Z")).outcomes.sent).toBe(1); // day 3, hour 48
    expect((await sweepAt("2026-12-11T19:30:00Z")).found).toBe(0);

    const mails = await emailsTo(email);
    expect(mails).toHaveLength(5);
    const stored = await app.stores.reads.bookingWithFollowUps(LOCATION, id);
    const sent = stored?.followUps.filter((f) => f.status === "sent" && f.messageId) ?? [];
    expect(sent.map((f) => f.messageId).sort()).toEqual(mails.map((m) => m.messageId).sort());
    expect(stored?.booking.status).toBe("completed");
  });
});

// ---------------------------------------------------------------------------

describe("the followups function's sweep event (the recurring repair schedule's input)", () => {
  const saved = { ...process.env };
  let app: TestApp;
  beforeAll(async () => {
    // The real clock: the handler builds its own, as in Lambda. Booked half an hour ago.
    app = await startTestApp({ now: new Date(Date.now() - 30 * 60_000).toISOString() });
    Object.assign(process.env, {
      TABLE_NAME: app.tableName,
      LINK_SECRET: randomBytes(32).toString("hex"),
      PUBLIC_BASE_URL: "https://booking.example.com",
      MAIL_FROM: "Face of Jules <no-reply@example.com>",
      SCHEDULE_GROUP: "clinic-test-followups",
      FOLLOWUPS_FUNCTION_ARN:
        "arn:aws:lambda:us-west-2:111111111111:function:clinic-test-followups",
      SCHEDULER_ROLE_ARN: "arn:aws:iam::111111111111:role/scheduler",
      SCHEDULER_DLQ_ARN: "arn:aws:sqs:us-west-2:111111111111:dlq",
      LOG_LEVEL: "ERROR",
      AWS_REGION: "us-west-2",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_ENDPOINT_URL_DYNAMODB: inject("dynamoEndpoint"),
      AWS_ENDPOINT_URL_SES: inject("sesEndpoint"),
    });
  });
  afterAll(async () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await app.close();
  });

  it("sends the overdue confirmation once; a second sweep and a malformed sweep send nothing", async () => {
    const { handler } = await import("../../functions/followups/lambda");
    const { DateTime } = await import("luxon");
    // A Wednesday at 10:00 in the clinic, at least three days ahead.
    let day = DateTime.now().setZone("America/Los_Angeles").plus({ days: 3 }).startOf("day");
    while (day.weekday !== 3) day = day.plus({ days: 1 });
    const email = address("lambda-sweep");
    const token = await app.staffToken("receptionist");
    const res = await app.request("/api/staff/bookings", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      json: bookingBody({
        start: day.set({ hour: 10 }).toISO(),
        patient: { name: "Lam Da", email },
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const id = ((await res.json()) as { booking: { id: string } }).booking.id;

    const context = { getRemainingTimeInMillis: () => 30_000 };
    const first = (await handler({ sweep: true, locationIds: [LOCATION] }, context)) as any;
    expect(first.sweep).toEqual([
      expect.objectContaining({
        locationId: LOCATION,
        found: 1,
        errors: 0,
        truncated: false,
        outcomes: expect.objectContaining({ sent: 1 }),
      }),
    ]);
    const mails = await emailsTo(email);
    expect(mails).toHaveLength(1);
    expect((await app.stores.followUps.get(LOCATION, id, "confirmation-1"))?.messageId).toBe(
      mails[0]?.messageId,
    );

    const second = (await handler({ sweep: true, locationIds: [LOCATION] }, context)) as any;
    expect(second.sweep[0].found).toBe(0);
    expect(await handler({ sweep: true }, context)).toEqual({ outcome: "malformed" });
    expect(await emailsTo(email)).toHaveLength(1);
  });
});
