import { laterSessionBooked } from "../domain/aftercare-timeline";
import { localDateOf } from "../domain/calendar";
import { type Catalog, spacingRuleOf } from "../domain/catalog";
import { DomainError } from "../domain/errors";
import type { FollowUp } from "../domain/follow-ups";
import { earliestAllowedDate } from "../domain/spacing";
import { renderAftercareEmail } from "../messages/aftercare-email";
import { renderCancellation, renderConfirmation, renderReminder } from "../messages/booking-emails";
import { buildRawEmail, mailboxAddress } from "../messages/mime";
import {
  FOLLOW_UP_CLAIM_LEASE_MS,
  type FollowUpEvent,
  type FollowUpStore,
  type LinkSigner,
  MailError,
  type RawMailer,
} from "../ports";
import { type BookingDeps, changeStatus } from "./bookings";
import { manageUrl, rebookUrl, unsubscribeUrls } from "./links";

/**
 * Sends one follow-up, safely under at-least-once delivery: one conditional write
 * claims it (a second delivery finds it claimed and does nothing), the email goes
 * out, and one more write records the SES message id and what was sent. Throttling
 * and SES 5xx are retried with backoff; a send whose outcome is unknown (timed out
 * after leaving) is never repeated: it is marked failed for staff to check, and so
 * is a claim whose process died before recording the outcome (found again through
 * the due index once its lease ends; see `settleAbandonedClaim`).
 */
export interface FollowUpDeps {
  bookings: BookingDeps;
  followUps: FollowUpStore;
  mailer: RawMailer;
  tokens: LinkSigner;
  publicBaseUrl: string;
  mailFrom: string;
  log: {
    info(m: string, f?: Record<string, unknown>): void;
    warn(m: string, f?: Record<string, unknown>): void;
  };
  /** Backoff between SES attempts (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
}

export type FollowUpOutcome = "sent" | "done" | "skipped" | "failed" | "nothing-to-do";

const SEND_ATTEMPTS = 4;

export async function runFollowUp(
  deps: FollowUpDeps,
  event: FollowUpEvent,
): Promise<FollowUpOutcome> {
  const bookings = { ...deps.bookings, locationId: event.locationId };
  const now = bookings.clock.now();
  const claimed = await deps.followUps.claim(event.locationId, event.bookingId, event.step, now);
  if (!claimed) return settleAbandonedClaim(deps, event, now);
  const ids = { followUpId: claimed.id, bookingId: claimed.bookingId, step: claimed.step };

  if (claimed.kind === "auto-complete") return completeSession(deps, claimed);

  let catalog: Catalog;
  try {
    catalog = await bookings.catalogs.catalog(claimed.locationId);
  } catch (error) {
    // A read that failed (throttling, a cold start): nothing was sent, try again later.
    await deps.followUps.release(claimed);
    throw error;
  }
  let email: Composed;
  let raw: Buffer;
  try {
    email = compose(deps, catalog, claimed, now);
    if ("skip" in email) {
      await deps.followUps.finish(claimed, { status: "skipped", at: now, error: email.skip });
      return "skipped";
    }
    raw = await buildRawEmail({
      from: deps.mailFrom,
      to: claimed.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      ...(email.attachments ? { attachments: email.attachments } : {}),
      ...(catalog.clinic.contact ? { replyTo: catalog.clinic.contact.email } : {}),
      listUnsubscribeUrl: unsubscribeUrls(deps, claimed.patientId, now).oneClick,
    });
  } catch (error) {
    await deps.followUps.finish(claimed, {
      status: "failed",
      at: bookings.clock.now(),
      error: "The email could not be built from the plan.",
    });
    deps.log.warn("follow-up not built", {
      ...ids,
      errorName: error instanceof Error ? error.name : "unknown",
    });
    return "failed";
  }
  let messageId: string;
  try {
    ({ messageId } = await sendWithRetry(deps, {
      to: claimed.to,
      raw,
      tags: { locationId: claimed.locationId, followUp: claimed.kind },
    }));
  } catch (error) {
    const reason =
      error instanceof MailError && error.failure === "unknown"
        ? `The email service did not answer (${error.message}); it may have been delivered, so it was not sent again.`
        : `The email service refused it: ${error instanceof Error ? error.message : "unknown error"}.`;
    await deps.followUps.finish(claimed, {
      status: "failed",
      at: bookings.clock.now(),
      error: reason,
    });
    deps.log.warn("follow-up failed", {
      ...ids,
      failure: error instanceof MailError ? error.failure : "error",
    });
    return "failed";
  }
  // Sent. If recording that fails, the claim stays `sending`: never sent again, and
  // closed as interrupted by a later delivery (never called refused: it went out).
  const recorded = await deps.followUps.finish(claimed, {
    status: "sent",
    at: bookings.clock.now(),
    messageId,
    rendered: { subject: email.subject, text: email.text, html: email.html },
  });
  if (!recorded) deps.log.warn("follow-up sent but replaced meanwhile", { ...ids, messageId });
  deps.log.info("follow-up sent", { ...ids, messageId });
  return "sent";
}

/** The automatic completion: completes the session, which schedules its aftercare. */
async function completeSession(deps: FollowUpDeps, claimed: FollowUp): Promise<FollowUpOutcome> {
  const bookings = { ...deps.bookings, locationId: claimed.locationId };
  const ids = { followUpId: claimed.id, bookingId: claimed.bookingId, step: claimed.step };
  try {
    await changeStatus(bookings, {
      bookingId: claimed.bookingId,
      action: "complete",
      actor: { kind: "system" },
    });
    await deps.followUps.finish(claimed, { status: "sent", at: bookings.clock.now() });
    deps.log.info("session completed automatically", ids);
    return "done";
  } catch (error) {
    if (!(error instanceof DomainError && error.code === "INVALID_STATE")) {
      // Nothing was sent: give it back, and let the delivery's own retry run it again.
      await deps.followUps.release(claimed);
      throw error;
    }
    await deps.followUps.finish(claimed, {
      status: "skipped",
      at: bookings.clock.now(),
      error: "The session already had its outcome.",
    });
    return "skipped";
  }
}

async function sendWithRetry(deps: FollowUpDeps, message: Parameters<RawMailer["sendRaw"]>[0]) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.mailer.sendRaw(message);
    } catch (error) {
      const retryable = error instanceof MailError && error.failure === "retryable";
      if (!retryable || attempt >= SEND_ATTEMPTS) throw error;
      // 200 ms, 800 ms, 3.2 s, with jitter.
      await sleep(200 * 4 ** (attempt - 1) * (0.75 + Math.random() / 2));
    }
  }
}

/**
 * A claim older than its lease never finished: the process died between the claim
 * and recording the outcome (the due index brings it back to the local runner and
 * the repair sweep then). The automatic completion sends nothing, so it runs again
 * (a session it did complete then has its outcome: skipped, its aftercare already
 * scheduled by that completion). An email's SES call may have happened: it is closed
 * as failed, never sent again. A claim still within its lease is someone's live
 * send: left alone.
 */
async function settleAbandonedClaim(
  deps: FollowUpDeps,
  event: FollowUpEvent,
  now: Date,
): Promise<FollowUpOutcome> {
  const f = await deps.followUps.get(event.locationId, event.bookingId, event.step);
  if (f?.status !== "sending" || !f.claimedAt) return "nothing-to-do";
  if (now.getTime() - Date.parse(f.claimedAt) < FOLLOW_UP_CLAIM_LEASE_MS) return "nothing-to-do";
  const ids = { followUpId: f.id, bookingId: f.bookingId, step: f.step };
  if (f.kind === "auto-complete" && !f.messageId) {
    await deps.followUps.release(f);
    deps.log.warn("abandoned completion run again", ids);
    const again = await deps.followUps.claim(event.locationId, event.bookingId, event.step, now);
    // Someone else took it meanwhile: theirs to finish.
    return again ? completeSession(deps, again) : "nothing-to-do";
  }
  await deps.followUps.finish(f, {
    status: "failed",
    at: now,
    error: "Sending was interrupted; the email may have been delivered, so it was not sent again.",
  });
  deps.log.warn("abandoned follow-up closed", ids);
  return "nothing-to-do";
}

type Composed =
  | { skip: string }
  | {
      subject: string;
      text: string;
      html: string;
      attachments?: { filename: string; contentType: string; content: string }[];
    };

function compose(deps: FollowUpDeps, catalog: Catalog, f: FollowUp, now: Date): Composed {
  const { clinic } = catalog;
  const timezone = clinic.policy.timezone;
  // Valid a month after this email goes out, however late in the timeline that is.
  const manage = manageUrl(deps, f.bookingId, f.bookingStart, now);
  const booking = {
    patientName: f.patientName,
    clinicName: clinic.name,
    ...(clinic.contact ? { clinicContact: clinic.contact } : {}),
    treatmentName: f.treatmentName,
    start: new Date(f.bookingStart),
    end: new Date(f.bookingEnd),
    timezone,
    manageUrl: manage,
    bookingId: f.bookingId,
    sequence: f.bookingVersion,
  };
  // An invitation (or its cancel) from the address it comes from, to the patient it is sent to.
  const people = { clinicEmail: mailboxAddress(deps.mailFrom), patientEmail: f.to };
  if (f.kind === "confirmation") {
    // Rows written before `moved` existed: a later version was a move.
    return renderConfirmation({
      ...booking,
      ...people,
      rescheduled: f.moved ?? f.bookingVersion > 1,
    });
  }
  if (f.kind === "cancellation") {
    return renderCancellation({
      ...booking,
      ...people,
      cancelledBy: f.cancelledBy ?? "clinic",
      bookingUrl: rebookUrl(deps, f.patientId, now),
    });
  }
  // Worded from the moment it goes out: a late send still says "today" when it is.
  if (f.kind === "reminder") return renderReminder({ ...booking, now });

  const step = f.planStep;
  if (!step) return { skip: "The plan step is missing." };
  const links = unsubscribeUrls(deps, f.patientId, now);
  const vars = {
    patientName: f.patientName,
    clinicName: clinic.name,
    ...(clinic.contact ? { clinicContact: clinic.contact } : {}),
    sessionDate: f.bookingDate,
    manageUrl: manage,
    unsubscribeUrl: links.page,
  };
  if (step.kind === "aftercare") return renderAftercareEmail(step, vars);

  // The rebooking steps quote the patient's sessions as they are now: every write of
  // the patient's record refreshes this copy in the same transaction.
  const sessions = f.patientSessions ?? [];
  const treatment = catalog.treatments.find((t) => t.id === f.treatmentId);
  const rule = treatment ? spacingRuleOf(treatment) : null;
  const later = laterSessionBooked(sessions, {
    bookingId: f.bookingId,
    date: f.bookingDate,
    ...(rule ? { family: rule.family } : {}),
  });
  if (later) {
    return {
      skip:
        later.status === "completed"
          ? `A later session (${later.date}) was completed: its own timeline rebooks.`
          : "Already rebooked.",
    };
  }
  const earliest = earliestAllowedDate({ sessions, rule, today: localDateOf(now, timezone) });
  return renderAftercareEmail(step, {
    ...vars,
    earliestAllowedDate: earliest,
    bookingUrl: rebookUrl(deps, f.patientId, now),
  });
}
