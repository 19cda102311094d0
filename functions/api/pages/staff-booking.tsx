import { Hono } from "hono";
import type { Booking } from "../../../shared/domain/booking";
import { bookingReference } from "../../../shared/domain/booking-reference";
import type { Catalog, ClinicPolicy } from "../../../shared/domain/catalog";
import { DomainError } from "../../../shared/domain/errors";
import { type Actor, allowedActions } from "../../../shared/domain/lifecycle";
import { changeStatus, getBooking } from "../../../shared/services/bookings";
import { bookingWithFollowUps, sentEmail } from "../../../shared/services/staff-queries";
import type { AppDeps, AppEnv } from "../context";
import { FollowUpsTable } from "./follow-ups-table";
import { appointmentWhen, longDate, shortWhen } from "./format";
import { readForm } from "./forms";
import { sendPage } from "./layout";
import { practitionerName, treatmentOf } from "./slots";
import { staffActor } from "./staff-override";
import { staffFrame } from "./staff-session";

/** What the console says after a change, by `?done=`. */
const DONE: Record<string, string> = {
  booked: "Booked. The patient has been emailed a confirmation.",
  "booked-override": "Booked with an override; the reason is in the audit log.",
  moved: "Moved. The patient has been emailed the new time.",
  completed: "Marked completed. The aftercare follow-ups are scheduled below.",
  "no-show": "Marked as a no-show. No aftercare will be sent.",
  cancelled: "Cancelled. The time is free again.",
};

/** One booking's page, its sent emails, and the status buttons. */
export function staffBookingPages(deps: AppDeps) {
  const { catalogs, locationId, clock } = deps.bookings;
  const router = new Hono<AppEnv>();

  router.get("/staff/bookings/:id", async (c) => {
    const catalog = await catalogs.catalog(locationId);
    const { policy } = catalog.clinic;
    const zone = policy.timezone;
    const found = await bookingWithFollowUps(deps.bookings, c.req.param("id"));
    const b = found.booking;
    const done = DONE[c.req.query("done") ?? ""];
    const { Page, csrf } = staffFrame(c, deps, catalog.clinic.name);
    return sendPage(
      c,
      <Page title={`Booking · ${b.patient.name}`}>
        {done ? (
          <p class="notice ok" role="status">
            {done}
          </p>
        ) : null}
        <h1>
          {b.patient.name}: {treatmentOf(catalog, b.treatmentId)?.name ?? b.treatmentId}
        </h1>
        <BookingFacts booking={b} catalog={catalog} zone={zone} />
        <StatusActions
          booking={b}
          csrf={csrf}
          actor={staffActor(c)}
          now={clock.now()}
          policy={policy}
          back={`/staff/bookings/${b.id}`}
        />
        <h2>Follow-ups</h2>
        <FollowUpsTable
          bookingId={b.id}
          followUps={found.followUps}
          clinicName={catalog.clinic.name}
          zone={zone}
          label="Follow-ups"
        />
      </Page>,
    );
  });

  router.get("/staff/bookings/:id/emails/:step", async (c) => {
    const catalog = await catalogs.catalog(locationId);
    const id = c.req.param("id");
    const { rendered, messageId, sentAt } = await sentEmail(deps.bookings, id, c.req.param("step"));
    const { Page } = staffFrame(c, deps, catalog.clinic.name);
    return sendPage(
      c,
      <Page title={`Sent email · ${rendered.subject}`}>
        <p>
          <a href={`/staff/bookings/${id}`}>← The booking</a>
        </p>
        <h1>{rendered.subject}</h1>
        <p class="muted">
          To the patient, message id {messageId}
          {sentAt ? `, sent ${shortWhen(sentAt, catalog.clinic.policy.timezone)}` : ""}
        </p>
        <EmailView html={rendered.html} text={rendered.text} />
      </Page>,
      { showsEmail: true },
    );
  });

  router.post("/staff/bookings/:id/:action{complete|no-show|cancel}", async (c) => {
    const form = await readForm(c, deps);
    const action = c.req.param("action") as "complete" | "no-show" | "cancel";
    const id = c.req.param("id");
    const target = { complete: "completed", "no-show": "no-show", cancel: "cancelled" }[action];
    let booking: Booking;
    try {
      const by = form.cancelledBy === "patient" ? "patient" : "clinic";
      const cancelledBy = action === "cancel" ? ({ cancelledBy: by } as const) : {};
      booking = await changeStatus(deps.bookings, {
        bookingId: id,
        action,
        actor: staffActor(c),
        ...cancelledBy,
      });
      deps.logger.info(`booking ${action}`, { bookingId: id, actor: staffActor(c).id });
    } catch (error) {
      // A repeat of a change that already happened (a double click) is that change's answer.
      const now =
        error instanceof DomainError && error.code === "INVALID_STATE"
          ? await getBooking(deps.bookings, id)
          : null;
      if (now?.status !== target) throw error;
      booking = now;
    }
    const done = booking.status === "completed" ? "completed" : booking.status;
    const back =
      form.back?.startsWith("/staff") && !form.back.startsWith("//")
        ? form.back
        : `/staff/bookings/${id}`;
    return c.redirect(`${back}${back.includes("?") ? "&" : "?"}done=${done}`, 303);
  });

  return router;
}

/** What staff see of a booking: when, who, contact, source, consent, override. */
export function BookingFacts({
  booking: b,
  catalog,
  zone,
}: {
  booking: Booking;
  catalog: Catalog;
  zone: string;
}) {
  return (
    <dl class="facts">
      <dt>When</dt>
      <dd>{appointmentWhen(new Date(b.start), new Date(b.end), zone)}</dd>
      <dt>Practitioner</dt>
      <dd>{practitionerName(catalog, b.practitionerId)}</dd>
      <dt>Status</dt>
      <dd>
        <span class={`badge s-${b.status}`}>{b.status}</span>
      </dd>
      <dt>Reference</dt>
      <dd>{bookingReference(b.id)}</dd>
      <dt>Patient</dt>
      <dd>
        <a href={`/staff/patients?email=${encodeURIComponent(b.patient.email)}`}>
          {b.patient.name}
        </a>
        , {b.patient.email}
        {b.patient.phone ? `, ${b.patient.phone}` : ""}
      </dd>
      <dt>Booked</dt>
      <dd>
        {b.source === "staff" ? "by the front desk" : "online"}, {shortWhen(b.createdAt, zone)}
      </dd>
      <dt>Aftercare emails</dt>
      <dd>{b.consent.aftercareEmails ? "yes" : "no"}</dd>
      {b.override ? (
        <>
          <dt>Override</dt>
          <dd id="override">
            <strong>Spacing rule overridden</strong> on {shortWhen(b.override.at, zone)}: “
            {b.override.reason}”. Previous session{" "}
            <a href={`/staff/bookings/${b.override.conflict.bookingId}`}>
              {longDate(b.override.conflict.date)}
            </a>
            ; earliest allowed {longDate(b.override.earliestAllowedDate)}.
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/**
 * The buttons for what this staff member may do with the booking now, as the
 * lifecycle decides: complete and no-show once it has started, reschedule and
 * cancel while it is confirmed.
 */
export function StatusActions({
  booking: b,
  csrf,
  actor,
  now,
  policy,
  back,
}: {
  booking: Booking;
  csrf: string;
  actor: Actor;
  now: Date;
  policy: ClinicPolicy;
  back: string;
}) {
  const allowed = allowedActions(b, actor, now, policy);
  if (allowed.length === 0) return null;
  const whose = `${b.patient.name}, ${shortWhen(b.start, policy.timezone)}`;
  const button = (action: string, label: string, cls = "small", confirm?: string) => (
    <form method="post" action={`/staff/bookings/${b.id}/${action}`}>
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="back" value={back} />
      <button type="submit" class={cls} data-confirm={confirm} aria-label={`${label}: ${whose}`}>
        {label}
      </button>
    </form>
  );
  return (
    <div class="actions">
      {allowed.includes("complete") ? button("complete", "Completed") : null}
      {allowed.includes("no-show") ? button("no-show", "No-show", "small secondary") : null}
      {allowed.includes("reschedule") ? (
        <a
          class="button small secondary"
          href={`/staff/bookings/${b.id}/reschedule`}
          aria-label={`Reschedule: ${whose}`}
        >
          Reschedule
        </a>
      ) : null}
      {allowed.includes("cancel") ? (
        // Who asked decides the patient's email: "cancelled, as asked" or "we had to cancel".
        <form method="post" action={`/staff/bookings/${b.id}/cancel`} class="cancel-form">
          <input type="hidden" name="_csrf" value={csrf} />
          <input type="hidden" name="back" value={back} />
          <label class="vh" for={`by-${b.id}`}>
            Who is cancelling: {whose}
          </label>
          <select id={`by-${b.id}`} name="cancelledBy" class="inline-small">
            <option value="patient">Patient asked</option>
            <option value="clinic">Clinic cancels</option>
          </select>
          <button
            type="submit"
            class="small danger"
            data-confirm="Cancel this booking? The patient is emailed at once."
            aria-label={`Cancel: ${whose}`}
          >
            Cancel
          </button>
        </form>
      ) : null}
    </div>
  );
}

/** A sent email: its HTML in a sandboxed frame (no scripts, no links out), then its text. */
export function EmailView({ html, text }: { html: string; text: string }) {
  return (
    <>
      <iframe class="preview" title="The email as the patient sees it" sandbox="" srcdoc={html} />
      <details>
        <summary>Plain-text version</summary>
        <pre class="email">{text}</pre>
      </details>
    </>
  );
}
