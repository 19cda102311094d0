import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FOLLOW_UP_CLAIM_LEASE_MS } from "../../shared/ports";
import { changeStatus, createBooking } from "../../shared/services/bookings";
import { sweepOverdueFollowUps } from "../../shared/services/follow-up-repair";
import { emailsTo, startTestApp, type TestApp } from "../support/test-app";

/**
 * A follow-up claimed (`sending`) by a process that then died, before recording the
 * outcome or giving it back: the due index brings it back at the end of its lease, and
 * the local runner or the repair sweep settles it. An email is closed as failed (its
 * SES call may have happened: never sent twice); the automatic completion, which
 * sends nothing, runs again, so the session's aftercare still starts.
 */

const LOCATION = "face-of-jules";
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ now: "2026-11-30T18:00:00Z" });
});
afterAll(() => app.close());

const at = (iso: string, plusMs = 0) => new Date(Date.parse(iso) + plusMs).toISOString();

async function book(tag: string, start: string) {
  const email = `abandoned-${tag}-${randomBytes(4).toString("hex")}@example.com`;
  const booking = await createBooking(app.deps.bookings, {
    treatmentId: "microneedling-face",
    start: new Date(start),
    practitionerId: "jules",
    patient: { name: "Abandoned Claim", email },
    consent: { aftercareEmails: true },
    actor: { kind: "patient" },
  });
  return { email, id: booking.id };
}

async function followUps(bookingId: string) {
  const out = await app.stores.reads.bookingWithFollowUps(LOCATION, bookingId);
  return Object.fromEntries((out?.followUps ?? []).map((f) => [f.step, f]));
}

async function dueSteps(asOf: string) {
  return (await app.stores.followUps.due(LOCATION, new Date(asOf), 100)).map((d) => ({
    bookingId: d.bookingId,
    step: d.step,
    dueAt: d.dueAt,
  }));
}

describe("abandoned follow-up claims", () => {
  it("an email claimed and abandoned is back in the due index at the end of its lease, and the runner closes it as failed without sending it", async () => {
    app.clock.set("2026-11-30T18:00:00Z");
    const { email, id } = await book("runner", "2026-12-10T09:00:00-08:00");
    const now = app.clock.now().toISOString();
    const claimed = await app.stores.followUps.claim(LOCATION, id, "confirmation-1", new Date(now));
    expect(claimed?.status).toBe("sending");
    // The process dies here: no finish, no release.

    const leaseEnd = at(now, FOLLOW_UP_CLAIM_LEASE_MS);
    expect((await dueSteps(at(leaseEnd, -1))).filter((d) => d.bookingId === id)).toEqual([]);
    expect((await dueSteps(leaseEnd)).filter((d) => d.bookingId === id)).toEqual([
      { bookingId: id, step: "confirmation-1", dueAt: leaseEnd },
    ]);

    // Within the lease the runner leaves a live send alone.
    await app.runFollowUps(at(leaseEnd, -1000));
    expect((await followUps(id))["confirmation-1"]?.status).toBe("sending");

    await app.runFollowUps(leaseEnd);
    const f = (await followUps(id))["confirmation-1"];
    expect(f?.status).toBe("failed");
    expect(f?.error).toMatch(/interrupted.*may have been delivered/);
    expect(f?.messageId).toBeUndefined();
    expect(await emailsTo(email)).toEqual([]);
    // Final: out of the due index for good, and never sent by a later run.
    expect(
      (await dueSteps("2027-06-01T00:00:00Z")).some(
        (d) => d.step === "confirmation-1" && d.bookingId === id,
      ),
    ).toBe(false);
  });

  it("the repair sweep (AWS) finds an abandoned email claim and closes it, never sending it", async () => {
    app.clock.set("2026-11-30T19:00:00Z");
    const { email, id } = await book("sweep", "2026-12-11T09:00:00-08:00");
    expect(
      await app.stores.followUps.claim(LOCATION, id, "confirmation-1", app.clock.now()),
    ).not.toBeNull();

    // A sweep looks only at what is overdue by its grace period (10 minutes).
    app.clock.set(at("2026-11-30T19:00:00Z", FOLLOW_UP_CLAIM_LEASE_MS + 11 * 60_000));
    const result = await sweepOverdueFollowUps(app.followUps, LOCATION);
    expect(result.errors).toBe(0);
    expect(result.found).toBeGreaterThanOrEqual(1);
    const f = (await followUps(id))["confirmation-1"];
    expect(f?.status).toBe("failed");
    expect(f?.error).toMatch(/interrupted.*may have been delivered/);
    expect(await emailsTo(email)).toEqual([]);
    // A second sweep finds nothing more of it.
    const again = await sweepOverdueFollowUps(app.followUps, LOCATION);
    expect(again.found).toBe(0);
  });

  it("an automatic completion claimed and abandoned runs again after its lease: the session completes and its aftercare is scheduled", async () => {
    app.clock.set("2026-12-01T18:00:00Z");
    const { id } = await book("complete", "2026-12-14T09:00:00-08:00");
    // Settle what came due at booking time, then leave only the completion.
    await app.runFollowUps("2026-12-14T00:00:00Z");
    const auto = Object.values(await followUps(id)).find((f) => f.kind === "auto-complete");
    expect(auto?.status).toBe("scheduled");
    const claimedAt = auto?.dueAt as string;
    app.clock.set(claimedAt);
    expect(
      await app.stores.followUps.claim(LOCATION, id, auto?.step as string, new Date(claimedAt)),
    ).not.toBeNull();
    // Died before completing the session.

    const outcomes = await app.runFollowUps(at(claimedAt, FOLLOW_UP_CLAIM_LEASE_MS));
    expect(outcomes.done).toBe(1);
    const after = await app.stores.reads.bookingWithFollowUps(LOCATION, id);
    expect(after?.booking.status).toBe("completed");
    const steps = after?.followUps ?? [];
    expect(steps.find((f) => f.kind === "auto-complete")?.status).toBe("sent");
    const aftercare = steps.filter((f) => f.kind === "aftercare");
    expect(aftercare.length).toBeGreaterThanOrEqual(8);
    expect(steps.filter((f) => f.status === "sending")).toEqual([]);

    // And the journey plays out from there.
    await app.runFollowUps("2027-02-01T00:00:00Z");
    const played = Object.values(await followUps(id));
    expect(played.filter((f) => f.status === "scheduled" || f.status === "sending")).toEqual([]);
    expect(played.filter((f) => f.kind === "aftercare" && f.status === "sent").length).toBe(
      aftercare.length,
    );
  });

  it("an automatic completion abandoned after completing the session (before recording it) is closed as skipped; the aftercare that completion scheduled stays", async () => {
    app.clock.set("2026-12-01T19:00:00Z");
    const { id } = await book("completed", "2026-12-15T09:00:00-08:00");
    await app.runFollowUps("2026-12-15T00:00:00Z");
    const auto = Object.values(await followUps(id)).find((f) => f.kind === "auto-complete");
    const claimedAt = auto?.dueAt as string;
    app.clock.set(claimedAt);
    expect(
      await app.stores.followUps.claim(LOCATION, id, auto?.step as string, new Date(claimedAt)),
    ).not.toBeNull();
    await changeStatus(
      { ...app.deps.bookings, locationId: LOCATION },
      { bookingId: id, action: "complete", actor: { kind: "system" } },
    );
    // Died here.

    const outcomes = await app.runFollowUps(at(claimedAt, FOLLOW_UP_CLAIM_LEASE_MS));
    expect(outcomes.skipped).toBeGreaterThanOrEqual(1);
    const after = await app.stores.reads.bookingWithFollowUps(LOCATION, id);
    expect(after?.booking.status).toBe("completed");
    const steps = after?.followUps ?? [];
    expect(steps.find((f) => f.kind === "auto-complete")).toMatchObject({
      status: "skipped",
      error: "The session already had its outcome.",
    });
    expect(steps.filter((f) => f.kind === "aftercare").length).toBeGreaterThanOrEqual(8);
    expect(steps.filter((f) => f.status === "sending")).toEqual([]);
  });
});
