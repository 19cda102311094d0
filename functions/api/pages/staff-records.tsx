import { Hono } from "hono";
import { addDays, instantAt, isLocalDate, localDateOf } from "../../../shared/domain/calendar";
import { DomainError } from "../../../shared/domain/errors";
import { patientByEmail } from "../../../shared/services/staff-queries";
import type { AppDeps, AppEnv } from "../context";
import { FollowUpsTable } from "./follow-ups-table";
import { longDate, shortWhen } from "./format";
import { sendPage } from "./layout";
import { treatmentOf } from "./slots";
import { staffFrame } from "./staff-session";

/** An unknown email is an answer on this page ("no patient"), not an error page. */
function noneIfNotFound(error: unknown): null {
  if (error instanceof DomainError && error.code === "NOT_FOUND") return null;
  throw error;
}

/** A patient's page (sessions, overrides, follow-ups, sent emails) and the audit log. */
export function staffRecordPages(deps: AppDeps) {
  const { catalogs, reads, locationId, clock } = deps.bookings;
  const router = new Hono<AppEnv>();

  router.get("/staff/patients", async (c) => {
    const catalog = await catalogs.catalog(locationId);
    const zone = catalog.clinic.policy.timezone;
    const { Page } = staffFrame(c, deps, catalog.clinic.name);
    const email = (c.req.query("email") ?? "").trim().slice(0, 254);
    const record = email ? await patientByEmail(deps.bookings, email).catch(noneIfNotFound) : null;
    const sessions = record
      ? await Promise.all(
          [...record.sessions]
            .sort((a, b) => (a.date < b.date ? 1 : -1))
            .map((s) => reads.bookingWithFollowUps(locationId, s.bookingId)),
        )
      : [];
    return sendPage(
      c,
      <Page title={record ? `Patient · ${record.name}` : "Find a patient"}>
        <h1>{record ? record.name : "Find a patient"}</h1>
        <form method="get" action="/staff/patients">
          <label for="email">Patient's email</label>
          <input id="email" name="email" type="email" required value={email} />
          <p>
            <button type="submit" class="small">
              Find
            </button>
          </p>
        </form>
        {email && !record ? (
          <p class="notice warn" role="status">
            No patient with that email.
          </p>
        ) : null}
        {record ? (
          <>
            <dl class="facts">
              <dt>Email</dt>
              <dd>{record.email}</dd>
              {record.phone ? (
                <>
                  <dt>Phone</dt>
                  <dd>{record.phone}</dd>
                </>
              ) : null}
              <dt>Aftercare emails</dt>
              <dd>{record.aftercareOptOut ? "unsubscribed" : "allowed"}</dd>
              {record.suppressed ? (
                <>
                  <dt>Email suppressed</dt>
                  <dd class="error">
                    {record.suppressed.reason}, {shortWhen(record.suppressed.at, zone)}: no email is
                    sent to this address
                  </dd>
                </>
              ) : null}
            </dl>
            <h2>Sessions</h2>
            {sessions.map((found) =>
              found ? (
                <section class="cards" aria-label={`Session ${found.booking.date}`}>
                  <h3>
                    <a href={`/staff/bookings/${found.booking.id}`}>
                      {longDate(found.booking.date)}:{" "}
                      {treatmentOf(catalog, found.booking.treatmentId)?.name ??
                        found.booking.treatmentId}
                    </a>{" "}
                    <span class={`badge s-${found.booking.status}`}>{found.booking.status}</span>
                  </h3>
                  {found.booking.override ? (
                    <p>
                      <strong>Override:</strong> “{found.booking.override.reason}” (
                      {shortWhen(found.booking.override.at, zone)})
                    </p>
                  ) : null}
                  <FollowUpsTable
                    bookingId={found.booking.id}
                    followUps={found.followUps}
                    clinicName={catalog.clinic.name}
                    zone={zone}
                    label={`Follow-ups of ${found.booking.date}`}
                  />
                </section>
              ) : null,
            )}
          </>
        ) : null}
      </Page>,
    );
  });

  router.get("/staff/audit", async (c) => {
    const catalog = await catalogs.catalog(locationId);
    const zone = catalog.clinic.policy.timezone;
    const today = localDateOf(clock.now(), zone);
    const from0 = c.req.query("from");
    const to0 = c.req.query("to");
    const from = from0 && isLocalDate(from0) ? from0 : addDays(today, -30);
    let to = to0 && isLocalDate(to0) ? to0 : today;
    if (to < from) to = from;
    // One screen is at most a year: a wider range would be one long, slow query.
    if (addDays(from, 366) < to) to = addDays(from, 366);
    const entries = await reads.audit(
      locationId,
      instantAt(from, "00:00", zone).toISOString(),
      instantAt(addDays(to, 1), "00:00", zone).toISOString(),
    );
    const { Page } = staffFrame(c, deps, catalog.clinic.name);
    return sendPage(
      c,
      <Page title="Overrides">
        <h1>Overrides</h1>
        <form method="get" action="/staff/audit" class="cols">
          <div>
            <label for="from">From</label>
            <input id="from" name="from" type="date" value={from} />
          </div>
          <div>
            <label for="to">To</label>
            <input id="to" name="to" type="date" value={to} />
          </div>
          <p>
            <button type="submit" class="small">
              Show
            </button>
          </p>
        </form>
        <p class="muted" role="status">
          {entries.length} override{entries.length === 1 ? "" : "s"} from {longDate(from)} to{" "}
          {longDate(to)}.
        </p>
        {entries.length ? (
          <section class="table-wrap" tabindex={0} aria-label="Overrides">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Staff</th>
                  <th scope="col">Booking</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr>
                    <td>{shortWhen(e.at, zone)}</td>
                    <td>
                      {e.action === "spacing-override" ? "Spacing rule" : "Upcoming-sessions cap"}
                    </td>
                    <td>{e.reason}</td>
                    <td>{e.actor}</td>
                    <td>
                      <a href={`/staff/bookings/${e.bookingId}`}>Open</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : null}
      </Page>,
    );
  });

  return router;
}
