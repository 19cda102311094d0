import { type Context, Hono } from "hono";
import { isLocalDate, type LocalDate } from "../../../shared/domain/calendar";
import type { Catalog, Treatment } from "../../../shared/domain/catalog";
import { DomainError } from "../../../shared/domain/errors";
import { earliestAllowedFor } from "../../../shared/services/availability";
import { createBooking } from "../../../shared/services/bookings";
import type { AppDeps, AppEnv } from "../context";
import { newBooking } from "../requests";
import { manageUrl } from "../routes/bookings";
import { BookingIn } from "../schemas";
import {
  bookingBody,
  type Errors,
  PatientFields,
  TimesFieldset,
  type Values,
} from "./booking-form";
import { MonthCalendar, monthOf, monthWeeks } from "./calendar";
import { csrfToken } from "./csrf";
import { dayMonth, longDate, zoneLabel } from "./format";
import { newFormId, pathOf } from "./forms";
import { Layout, sendPage } from "./layout";
import { link } from "./link";
import { pageErrors } from "./page-errors";
import { bookingWindow, calendarMonth, dayTimes, treatmentOf } from "./slots";
import { submitForm } from "./submit";

/** `microneedling` → "microneedling"; `led-facial` → "led facial". */
const familyWords = (t: Treatment) => t.family.replace(/-/g, " ");

/**
 * The patient's booking pages: treatment → month → day and time with details →
 * the booking's own page (its manage link) as the confirmation. A rebooking link
 * (`?rebook=`) names the patient, so the calendar greys the days they may not book.
 */
export function patientBookingPages(deps: AppDeps) {
  const { catalogs, locationId, clock } = deps.bookings;
  const router = new Hono<AppEnv>();
  router.onError(pageErrors(deps, "/book"));

  const load = async () => {
    const catalog = await catalogs.catalog(locationId);
    return {
      catalog,
      zone: catalog.clinic.policy.timezone,
      window: bookingWindow(catalog, clock.now()),
    };
  };

  /** The rebooking token, when genuine, and the first date its patient may book. */
  const rebookFor = async (token: string | undefined, treatment: Treatment) => {
    const patientId = token ? deps.tokens.verify(token, "rebook", clock.now()) : null;
    if (!patientId || !token) return null;
    const earliest =
      treatment.minIntervalDays === null
        ? undefined
        : await earliestAllowedFor(deps.bookings, patientId, treatment.id);
    return { token, earliest };
  };
  /** Links keep the rebooking token, so every page of the way knows the patient. */
  const keep = (rebook: { token: string } | null, query: Record<string, string> = {}) => ({
    ...query,
    rebook: rebook?.token,
  });

  const treatmentFrom = (catalog: Catalog, id: string) => {
    const treatment = treatmentOf(catalog, id);
    if (!treatment) throw new DomainError("NOT_FOUND", "We don't offer that treatment.");
    return treatment;
  };

  router.get("/", (c) => c.redirect(`/book${new URL(c.req.url).search}`, 302));

  router.get("/book", async (c) => {
    const { catalog } = await load();
    const token = c.req.query("rebook");
    const known = token ? deps.tokens.verify(token, "rebook", clock.now()) : null;
    const q = known && token ? `?rebook=${encodeURIComponent(token)}` : "";
    return sendPage(
      c,
      <Layout
        title="Book a session"
        clinicName={catalog.clinic.name}
        contact={catalog.clinic.contact}
        home="/book"
        description={`Book a session at ${catalog.clinic.name} online: choose a treatment, a day and a time.`}
      >
        <h1>{known ? "Book your next session" : "Book a session"}</h1>
        <p>Choose a treatment to see the days with free times.</p>
        <ul class="cards">
          {catalog.treatments.map((t) => (
            <li>
              <h2>
                <a href={`/book/${t.id}${q}`}>{t.name}</a>
              </h2>
              <p class="muted">
                {t.durationMinutes} minutes
                {t.minIntervalDays
                  ? ` · sessions at least ${t.minIntervalDays / 7} weeks apart`
                  : ""}
              </p>
            </li>
          ))}
        </ul>
      </Layout>,
    );
  });

  router.get("/book/:treatmentId", async (c) => {
    const { catalog, window } = await load();
    const treatment = treatmentFrom(catalog, c.req.param("treatmentId"));
    const rebook = await rebookFor(c.req.query("rebook"), treatment);
    const earliest = rebook?.earliest;
    const { month, open } = await calendarMonth(
      deps,
      window,
      treatment.id,
      c.req.query("month"),
      earliest && earliest > window.today ? monthOf(earliest) : undefined,
    );
    const reason = earliest
      ? `your next ${familyWords(treatment)} session can be from ${dayMonth(earliest, window.today)}`
      : undefined;
    const base = `/book/${treatment.id}`;
    const weeks = monthWeeks(month, open, earliest);
    const anyOpen = weeks.some((w) => w.some((d) => d.state === "open"));
    return sendPage(
      c,
      <Layout
        title={`Choose a day · ${treatment.name}`}
        clinicName={catalog.clinic.name}
        contact={catalog.clinic.contact}
        home="/book"
        description={`${treatment.name} at ${catalog.clinic.name}: choose a day with free times and book online.`}
      >
        <p>
          <a href={link("/book", keep(rebook))}>← Treatments</a>
        </p>
        <h1>{treatment.name}: choose a day</h1>
        {reason && earliest && earliest > window.today ? (
          <p class="notice" id="earliest">
            Days before {dayMonth(earliest, window.today)} are greyed out: {reason}. The clinic
            spaces these sessions at least {treatment.minIntervalDays} days apart, as its aftercare
            guide advises.
          </p>
        ) : null}
        <MonthCalendar
          month={month}
          weeks={weeks}
          firstMonth={window.firstMonth}
          lastMonth={window.lastMonth}
          dayHref={(d) => link(`${base}/${d}`, keep(rebook))}
          monthHref={(m) => link(base, keep(rebook, { month: m }))}
          {...(reason ? { earlyReason: reason } : {})}
        />
        {anyOpen ? null : <p class="notice warn">No free times this month. Try the next month.</p>}
      </Layout>,
    );
  });

  const dayPage = async (
    c: Context<AppEnv>,
    treatment: Treatment,
    date: LocalDate,
    state: { values: Values; errors: Errors; notice?: string; status?: number },
  ) => {
    const { catalog, zone, window } = await load();
    const rebook = await rebookFor(c.req.query("rebook"), treatment);
    const times =
      date >= window.today && date <= window.lastDate
        ? await dayTimes(deps, treatment.id, date)
        : [];
    const back = link(`/book/${treatment.id}`, keep(rebook, { month: monthOf(date) }));
    const tooEarly = rebook?.earliest && date < rebook.earliest;
    return sendPage(
      c,
      <Layout
        title={`${longDate(date)} · ${treatment.name}`}
        clinicName={catalog.clinic.name}
        contact={catalog.clinic.contact}
        home="/book"
        description={`${treatment.name} at ${catalog.clinic.name} on ${longDate(date)}: choose a free time and book online.`}
      >
        <p>
          <a href={back}>← Other days</a>
        </p>
        <h1>
          {treatment.name}, {longDate(date)}
        </h1>
        {state.notice ? (
          <p class="notice bad" role="alert">
            {state.notice}
          </p>
        ) : null}
        {tooEarly && rebook?.earliest ? (
          <p class="notice warn">
            Your next {familyWords(treatment)} session can be from{" "}
            {dayMonth(rebook.earliest, window.today)}. <a href={back}>Choose a later day</a>.
          </p>
        ) : times.length === 0 ? (
          <p class="notice warn">
            There are no free times left on this day. <a href={back}>Choose another day</a>.
          </p>
        ) : (
          <form
            method="post"
            action={link(`/book/${treatment.id}/${date}`, keep(rebook))}
            novalidate
          >
            <input type="hidden" name="_csrf" value={csrfToken(c, deps)} />
            <input type="hidden" name="formId" value={state.values.formId ?? newFormId()} />
            <TimesFieldset
              times={times}
              catalog={catalog}
              zone={zoneLabel(zone, new Date(`${date}T12:00:00Z`))}
              values={state.values}
              errors={state.errors}
            />
            <PatientFields values={state.values} errors={state.errors} />
            <button type="submit">Book this time</button>
          </form>
        )}
      </Layout>,
      { status: state.status ?? 200 },
    );
  };

  const dayParams = async (treatmentId: string, date: string) => {
    const { catalog } = await load();
    const treatment = treatmentFrom(catalog, treatmentId);
    if (!isLocalDate(date)) throw new DomainError("NOT_FOUND", "That is not a date.");
    return { treatment, date };
  };

  router.get("/book/:treatmentId/:date", async (c) => {
    const { treatment, date } = await dayParams(c.req.param("treatmentId"), c.req.param("date"));
    return dayPage(c, treatment, date, { values: {}, errors: {} });
  });

  router.post("/book/:treatmentId/:date", async (c) => {
    const { treatment, date } = await dayParams(c.req.param("treatmentId"), c.req.param("date"));
    return submitForm(c, deps, {
      scope: "book",
      parse: (form) => BookingIn.safeParse(bookingBody(treatment.id, form)),
      invalid: "Please check the highlighted fields.",
      run: (input, intent) =>
        createBooking(deps.bookings, newBooking(input, { kind: "patient" }), intent),
      location: (b) => pathOf(manageUrl(deps, b), { done: "booked" }),
      log: { message: "booking created", fields: { source: "online-page" } },
      refused: async (error) => {
        if (error.code === "SLOT_TAKEN" || error.code === "SLOT_UNAVAILABLE") {
          return { notice: "Sorry, that time has just been taken. Please choose another." };
        }
        if (error.code !== "SPACING_TOO_SOON") return null;
        const { catalog } = await load();
        // Nothing about anyone's history on the page: the email to that address explains.
        return sendPage(
          c,
          <Layout
            title="Not bookable online yet"
            clinicName={catalog.clinic.name}
            contact={catalog.clinic.contact}
            home="/book"
          >
            <h1>This session can't be booked online yet</h1>
            <p>We have sent an email to the address you gave that explains when you can book.</p>
            <p>
              <a href="/book">Back to the start</a>
            </p>
          </Layout>,
          { status: 409 },
        );
      },
      again: ({ error: _error, ...state }) => dayPage(c, treatment, date, state),
    });
  });

  return router;
}
