import { type Context, Hono } from "hono";
import { bookingReference } from "../../../shared/domain/booking-reference";
import { isLocalDate } from "../../../shared/domain/calendar";
import { type Catalog, callClinic } from "../../../shared/domain/catalog";
import { DomainError, type ErrorCode } from "../../../shared/domain/errors";
import { type Action, allowedActions, changeCutoff } from "../../../shared/domain/lifecycle";
import { calendarDownload } from "../../../shared/messages/booking-emails";
import { changeStatus, getBooking, rescheduleBooking } from "../../../shared/services/bookings";
import type { AppDeps, AppEnv } from "../context";
import { reschedule } from "../requests";
import { manageUrl } from "../routes/bookings";
import { RescheduleIn } from "../schemas";
import { type Errors, TimesFieldset, type Values } from "./booking-form";
import { MonthCalendar, monthOf, monthWeeks } from "./calendar";
import { csrfToken } from "./csrf";
import { appointmentWhen, longDate, shortWhen, zoneLabel } from "./format";
import { newFormId, oncePerForm, pathOf, readForm } from "./forms";
import { CallClinic, Layout, sendPage } from "./layout";
import { link } from "./link";
import { pageErrors } from "./page-errors";
import { bookingWindow, calendarMonth, dayTimes, practitionerName, treatmentOf } from "./slots";
import { submitForm } from "./submit";

const DONE: Record<string, string> = {
  booked: "You're booked. We have emailed you a confirmation with this page's link.",
  moved: "Your session has been moved. We have emailed you the new details.",
  cancelled: "Your session is cancelled.",
};

/**
 * The patient's page for one booking (the manage link): see it, add it to a
 * calendar, reschedule or cancel until the clinic's cut-off. The link's signed
 * token is the only key; a wrong one gets the same 404 as a missing booking.
 */
export function patientManagePages(deps: AppDeps) {
  const { catalogs, locationId, clock } = deps.bookings;
  const router = new Hono<AppEnv>();
  router.onError(pageErrors(deps, "/book"));

  const open = async (c: Context<AppEnv>) => {
    const id = c.req.param("id") ?? "";
    const token = c.req.query("token");
    if (deps.tokens.verify(token, "manage", clock.now()) !== id || !token) {
      throw new DomainError(
        "NOT_FOUND",
        "This link is not valid. Please use the latest link we emailed you.",
      );
    }
    const [booking, catalog] = await Promise.all([
      getBooking(deps.bookings, id),
      catalogs.catalog(locationId),
    ]);
    const { policy } = catalog.clinic;
    const allowed = allowedActions(booking, { kind: "patient" }, clock.now(), policy);
    const cutoff = changeCutoff(booking, policy);
    const self = link(`/manage/${id}`, { token });
    const sub = (path: string, query: Record<string, string> = {}) =>
      link(`/manage/${id}/${path}`, { token, ...query });
    return { booking, catalog, zone: policy.timezone, cutoff, allowed, self, sub, token };
  };

  const frame = (catalog: Catalog, title: string, body: unknown) => (
    <Layout
      title={title}
      clinicName={catalog.clinic.name}
      contact={catalog.clinic.contact}
      home="/book"
    >
      {body as never}
    </Layout>
  );

  router.get("/manage/:id", async (c) => {
    const m = await open(c);
    const { booking: b, catalog, zone } = m;
    const treatment = treatmentOf(catalog, b.treatmentId);
    const done = DONE[c.req.query("done") ?? ""];
    const hours = catalog.clinic.policy.changeCutoffHours;
    return sendPage(
      c,
      frame(
        catalog,
        "Your booking",
        <>
          {done ? (
            <p class="notice ok" role="status">
              {done}
            </p>
          ) : null}
          <h1>{b.status === "cancelled" ? "Cancelled session" : "Your session"}</h1>
          <dl class="facts">
            <dt>What</dt>
            <dd>{treatment?.name ?? b.treatmentId}</dd>
            <dt>When</dt>
            <dd>{appointmentWhen(new Date(b.start), new Date(b.end), zone)}</dd>
            <dt>With</dt>
            <dd>{practitionerName(catalog, b.practitionerId)}</dd>
            <dt>Where</dt>
            <dd>
              {catalog.clinic.name}
              {catalog.clinic.contact ? (
                <>
                  <br />
                  {catalog.clinic.contact.address}
                </>
              ) : null}
            </dd>
            <dt>Status</dt>
            <dd>
              <span class={`badge s-${b.status}`}>{b.status}</span>
            </dd>
            <dt>Reference</dt>
            <dd>{bookingReference(b.id)}</dd>
          </dl>
          {b.status === "confirmed" ? (
            <p>
              <a class="button secondary" href={m.sub("calendar.ics")} download="appointment.ics">
                Add to my calendar (.ics)
              </a>
            </p>
          ) : null}
          {m.allowed.length > 0 ? (
            <>
              <h2>Change or cancel</h2>
              <p>
                You can reschedule or cancel here until {shortWhen(m.cutoff, zone)} (
                {zoneLabel(zone, m.cutoff)}), {hours} hours before your session. After that, please{" "}
                <CallClinic clinic={catalog.clinic} />.
              </p>
              <p>
                {m.allowed.includes("reschedule") ? (
                  <a class="button" href={m.sub("reschedule")}>
                    Reschedule
                  </a>
                ) : null}
                {m.allowed.includes("cancel") ? (
                  <a class="button secondary" href={m.sub("cancel")}>
                    Cancel session
                  </a>
                ) : null}
              </p>
            </>
          ) : b.status === "confirmed" ? (
            <p class="notice warn">
              Your session is less than {hours} hours away, so it can no longer be changed online.
              Please <CallClinic clinic={catalog.clinic} />.
            </p>
          ) : (
            <p>
              <a href="/book">Book another session</a>
            </p>
          )}
          <p class="hint">This page's link is personal: please don't share it.</p>
        </>,
      ),
    );
  });

  router.get("/manage/:id/calendar.ics", async (c) => {
    const { booking: b, catalog, zone } = await open(c);
    if (b.status !== "confirmed") throw new DomainError("NOT_FOUND", "This session is not booked.");
    const ics = calendarDownload({
      patientName: b.patient.name,
      clinicName: catalog.clinic.name,
      ...(catalog.clinic.contact ? { clinicContact: catalog.clinic.contact } : {}),
      treatmentName: treatmentOf(catalog, b.treatmentId)?.name ?? b.treatmentId,
      start: new Date(b.start),
      end: new Date(b.end),
      timezone: zone,
      manageUrl: manageUrl(deps, b),
      bookingId: b.id,
      sequence: b.version,
      now: clock.now(),
    });
    c.header("Content-Type", ics.contentType);
    c.header("Content-Disposition", 'attachment; filename="appointment.ics"');
    c.header("Cache-Control", "no-store");
    return c.body(ics.content);
  });

  const mustAllow = (m: Awaited<ReturnType<typeof open>>, action: Action) => {
    if (!m.allowed.includes(action)) {
      throw new DomainError(
        "TOO_LATE_TO_CHANGE",
        `This session can no longer be changed online. Please ${callClinic(m.catalog.clinic)}.`,
      );
    }
  };

  router.get("/manage/:id/reschedule", async (c) => {
    const m = await open(c);
    mustAllow(m, "reschedule");
    const window = bookingWindow(m.catalog, clock.now());
    const { month, open: dates } = await calendarMonth(
      deps,
      window,
      m.booking.treatmentId,
      c.req.query("month"),
      monthOf(m.booking.date),
    );
    return sendPage(
      c,
      frame(
        m.catalog,
        "Reschedule: choose a day",
        <>
          <p>
            <a href={m.self}>← Your session</a>
          </p>
          <h1>Reschedule: choose a new day</h1>
          <p>
            Now booked for{" "}
            {appointmentWhen(new Date(m.booking.start), new Date(m.booking.end), m.zone)}.
          </p>
          <MonthCalendar
            month={month}
            weeks={monthWeeks(month, dates)}
            firstMonth={window.firstMonth}
            lastMonth={window.lastMonth}
            dayHref={(d) => m.sub(`reschedule/${d}`)}
            monthHref={(mo) => m.sub("reschedule", { month: mo })}
          />
        </>,
      ),
    );
  });

  const reschedulePage = async (
    c: Context<AppEnv>,
    m: Awaited<ReturnType<typeof open>>,
    date: string,
    state: { values: Values; errors: Errors; notice?: string; status?: number },
  ) => {
    const window = bookingWindow(m.catalog, clock.now());
    const times =
      date >= window.today && date <= window.lastDate
        ? await dayTimes(deps, m.booking.treatmentId, date)
        : [];
    const back = m.sub("reschedule", { month: monthOf(date) });
    return sendPage(
      c,
      frame(
        m.catalog,
        "Reschedule: choose a time",
        <>
          <p>
            <a href={back}>← Other days</a>
          </p>
          <h1>Move your session to {longDate(date)}</h1>
          {state.notice ? (
            <p class="notice bad" role="alert">
              {state.notice}
            </p>
          ) : null}
          {times.length === 0 ? (
            <p class="notice warn">
              There are no free times left on this day. <a href={back}>Choose another day</a>.
            </p>
          ) : (
            <form method="post" action={m.sub(`reschedule/${date}`)}>
              <input type="hidden" name="_csrf" value={csrfToken(c, deps)} />
              <input type="hidden" name="formId" value={state.values.formId ?? newFormId()} />
              <TimesFieldset
                times={times}
                catalog={m.catalog}
                zone={zoneLabel(m.zone, new Date(`${date}T12:00:00Z`))}
                values={state.values}
                errors={state.errors}
              />
              <button type="submit">Move my session here</button>
            </form>
          )}
        </>,
      ),
      { status: state.status ?? 200 },
    );
  };

  const dateParam = (c: Context<AppEnv>) => {
    const date = c.req.param("date") ?? "";
    if (!isLocalDate(date)) throw new DomainError("NOT_FOUND", "That is not a date.");
    return date;
  };

  router.get("/manage/:id/reschedule/:date", async (c) => {
    const m = await open(c);
    mustAllow(m, "reschedule");
    return reschedulePage(c, m, dateParam(c), { values: {}, errors: {} });
  });

  router.post("/manage/:id/reschedule/:date", async (c) => {
    const m = await open(c);
    const date = dateParam(c);
    const days = treatmentOf(m.catalog, m.booking.treatmentId)?.minIntervalDays ?? 28;
    const notices: Partial<Record<ErrorCode, string>> = {
      SLOT_TAKEN: "Sorry, that time has just been taken. Please choose another.",
      SLOT_UNAVAILABLE: "Sorry, that time is not available. Please choose another.",
      SPACING_TOO_SOON: `That day is too close to another of your sessions: the clinic spaces them at least ${days} days apart. We have emailed you the dates you can choose.`,
    };
    return submitForm(c, deps, {
      scope: `reschedule:${m.booking.id}`,
      parse: (form) =>
        RescheduleIn.safeParse({
          start: form.start ?? "",
          ...(form.practitionerId ? { practitionerId: form.practitionerId } : {}),
        }),
      invalid: "Please choose a time.",
      run: (input, intent) =>
        rescheduleBooking(
          deps.bookings,
          reschedule(m.booking.id, input, { kind: "patient" }),
          intent,
        ),
      location: (b) => pathOf(manageUrl(deps, b), { done: "moved" }),
      log: {
        message: "booking rescheduled",
        fields: { bookingId: m.booking.id, source: "online-page" },
      },
      refused: (error) => {
        const notice = notices[error.code];
        return notice ? { notice } : null;
      },
      again: ({ error: _error, ...state }) => reschedulePage(c, m, date, state),
    });
  });

  router.get("/manage/:id/cancel", async (c) => {
    const m = await open(c);
    mustAllow(m, "cancel");
    return sendPage(
      c,
      frame(
        m.catalog,
        "Cancel your session",
        <>
          <h1>Cancel your session?</h1>
          <p>{appointmentWhen(new Date(m.booking.start), new Date(m.booking.end), m.zone)}</p>
          <form method="post" action={m.sub("cancel")}>
            <input type="hidden" name="_csrf" value={csrfToken(c, deps)} />
            <input type="hidden" name="formId" value={newFormId()} />
            <button type="submit" class="danger">
              Yes, cancel my session
            </button>
            <a class="button secondary" href={m.self}>
              Keep my session
            </a>
          </form>
        </>,
      ),
    );
  });

  router.post("/manage/:id/cancel", async (c) => {
    const m = await open(c);
    const form = await readForm(c, deps);
    const location = await oncePerForm(
      deps,
      `cancel:${m.booking.id}`,
      form,
      null,
      (intent) =>
        changeStatus(
          deps.bookings,
          { bookingId: m.booking.id, action: "cancel", actor: { kind: "patient" } },
          intent,
        ),
      (b) => pathOf(manageUrl(deps, b), { done: "cancelled" }),
    );
    deps.logger.info("booking cancelled", { bookingId: m.booking.id, source: "online-page" });
    return c.redirect(location, 303);
  });

  return router;
}
