import { Hono } from "hono";
import { addDays, isLocalDate, localDateOf } from "../../../shared/domain/calendar";
import type { AppDeps, AppEnv } from "../context";
import { clockTime, longDate, zoneLabel } from "./format";
import { sendPage } from "./layout";
import { treatmentOf } from "./slots";
import { StatusActions } from "./staff-booking";
import { staffActor } from "./staff-override";
import { staffFrame } from "./staff-session";

const DONE: Record<string, string> = {
  completed: "Marked completed; the aftercare follow-ups are scheduled.",
  "no-show": "Marked as a no-show.",
  cancelled: "Cancelled.",
};

/** The front desk's day: each practitioner's bookings in time order, with their status. */
export function staffSchedulePages(deps: AppDeps) {
  const { catalogs, reads, locationId, clock } = deps.bookings;
  const router = new Hono<AppEnv>();

  router.get("/staff", async (c) => {
    const catalog = await catalogs.catalog(locationId);
    const zone = catalog.clinic.policy.timezone;
    const today = localDateOf(clock.now(), zone);
    const asked = c.req.query("date");
    const date = asked && isLocalDate(asked) ? asked : today;
    const bookings = (await reads.schedule(locationId, date)).sort((a, b) =>
      a.start < b.start ? -1 : 1,
    );
    const { Page, csrf } = staffFrame(c, deps, catalog.clinic.name);
    const done = DONE[c.req.query("done") ?? ""];
    const back = `/staff?date=${date}`;
    const actor = staffActor(c);
    const now = clock.now();
    return sendPage(
      c,
      <Page title={`Schedule · ${longDate(date)}`}>
        {done ? (
          <p class="notice ok" role="status">
            {done}
          </p>
        ) : null}
        <h1>{longDate(date)}</h1>
        <p class="muted">Times are {zoneLabel(zone, new Date(`${date}T12:00:00Z`))}.</p>
        <nav aria-label="Days" class="actions">
          <a class="button small secondary" href={`/staff?date=${addDays(date, -1)}`}>
            ← Previous day
          </a>
          <a class="button small secondary" href="/staff">
            Today
          </a>
          <a class="button small secondary" href={`/staff?date=${addDays(date, 1)}`}>
            Next day →
          </a>
          <form method="get" action="/staff">
            <label for="date" class="vh">
              Go to date
            </label>
            <input id="date" name="date" type="date" value={date} />
            <button type="submit" class="small secondary">
              Go
            </button>
          </form>
        </nav>
        {catalog.practitioners.map((p) => {
          const mine = bookings.filter((b) => b.practitionerId === p.id);
          return (
            <section aria-labelledby={`p-${p.id}`}>
              <h2 id={`p-${p.id}`}>{p.name}</h2>
              {mine.length === 0 ? (
                <p class="muted">No bookings.</p>
              ) : (
                <section class="table-wrap" tabindex={0} aria-label={`${p.name}: bookings`}>
                  <table class="list">
                    <thead>
                      <tr>
                        <th scope="col">Time</th>
                        <th scope="col">Patient</th>
                        <th scope="col">Treatment</th>
                        <th scope="col">Status</th>
                        <th scope="col">Actions</th>
                      </tr>
                    </thead>
                    <tbody>
                      {mine.map((b) => (
                        <tr>
                          <td>
                            {clockTime(new Date(b.start), zone)}–{clockTime(new Date(b.end), zone)}
                          </td>
                          <td>
                            <a href={`/staff/bookings/${b.id}`}>{b.patient.name}</a>
                            {b.override ? <span class="badge s-sending"> override</span> : null}
                          </td>
                          <td>{treatmentOf(catalog, b.treatmentId)?.name ?? b.treatmentId}</td>
                          <td>
                            <span class={`badge s-${b.status}`}>{b.status}</span>
                          </td>
                          <td>
                            <StatusActions
                              booking={b}
                              csrf={csrf}
                              actor={actor}
                              now={now}
                              policy={catalog.clinic.policy}
                              back={back}
                            />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </section>
              )}
            </section>
          );
        })}
      </Page>,
    );
  });

  return router;
}
