import { type Context, Hono } from "hono";
import type { Booking } from "../../../shared/domain/booking";
import { isLocalDate, type LocalDate } from "../../../shared/domain/calendar";
import type { Catalog, Treatment } from "../../../shared/domain/catalog";
import { DomainError } from "../../../shared/domain/errors";
import {
  changeStatus,
  createBooking,
  getBooking,
  rescheduleBooking,
} from "../../../shared/services/bookings";
import type { AppDeps, AppEnv } from "../context";
import { newBooking, reschedule } from "../requests";
import { StaffBookingIn, StaffRescheduleIn } from "../schemas";
import {
  bookingBody,
  type Errors,
  PatientFields,
  TimesFieldset,
  type Values,
} from "./booking-form";
import { MonthCalendar, monthOf, monthWeeks } from "./calendar";
import { FollowUpsTable } from "./follow-ups-table";
import { appointmentWhen, longDate, shortWhen, zoneLabel } from "./format";
import { fieldErrors, newFormId, oncePerForm, readForm, zodErrors } from "./forms";
import { sendPage } from "./layout";
import { link } from "./link";
import { bookingWindow, calendarMonth, dayTimes, practitionerName, treatmentOf } from "./slots";
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

/** A refusal the receptionist may override with a written reason. */
interface Refusal {
  code: "SPACING_TOO_SOON" | "TOO_MANY_FUTURE_BOOKINGS";
  message: string;
  previousSession?: { id: string; date: string };
  earliestAllowedDate?: string;
}

function refusalOf(error: unknown): Refusal | null {
  if (!(error instanceof DomainError)) return null;
  if (error.code !== "SPACING_TOO_SOON" && error.code !== "TOO_MANY_FUTURE_BOOKINGS") return null;
  const d = error.details as Omit<Refusal, "code" | "message">;
  return {
    code: error.code,
    message: error.message,
    ...(d.previousSession ? { previousSession: d.previousSession } : {}),
    ...(d.earliestAllowedDate ? { earliestAllowedDate: d.earliestAllowedDate } : {}),
  };
}

/** The refusal a re-rendered override box showed, from its hidden fields (display only). */
function refusalFromForm(form: Values): Refusal {
  const id = /^[A-Za-z0-9_-]{1,64}$/;
  const prev =
    form.refusalPrevId && id.test(form.refusalPrevId) && isLocalDate(form.refusalPrevDate ?? "")
      ? { previousSession: { id: form.refusalPrevId, date: form.refusalPrevDate ?? "" } }
      : {};
  const earliest = isLocalDate(form.refusalEarliest ?? "")
    ? { earliestAllowedDate: form.refusalEarliest ?? "" }
    : {};
  return form.refusalCode === "TOO_MANY_FUTURE_BOOKINGS"
    ? {
        code: "TOO_MANY_FUTURE_BOOKINGS",
        message: "The patient already holds the maximum number of upcoming sessions.",
      }
    : { code: "SPACING_TOO_SOON", message: "", ...prev, ...earliest };
}

function OverrideBox({
  refusal,
  values,
  errors,
}: {
  refusal: Refusal;
  values: Values;
  errors: Errors;
}) {
  return (
    <section class="notice warn" aria-labelledby="override-title">
      <h2 id="override-title">
        {refusal.code === "SPACING_TOO_SOON"
          ? "The spacing rule refuses this booking"
          : "This patient already holds the most upcoming sessions allowed"}
      </h2>
      {refusal.code === "SPACING_TOO_SOON" ? (
        <dl class="facts">
          {refusal.previousSession ? (
            <>
              <dt>Previous session</dt>
              <dd>
                <a href={`/staff/bookings/${refusal.previousSession.id}`}>
                  {longDate(refusal.previousSession.date)}
                </a>
              </dd>
            </>
          ) : null}
          {refusal.earliestAllowedDate ? (
            <>
              <dt>Earliest allowed date</dt>
              <dd id="earliest-allowed">{longDate(refusal.earliestAllowedDate)}</dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p>{refusal.message}</p>
      )}
      <input type="hidden" name="refusalCode" value={refusal.code} />
      {refusal.previousSession ? (
        <>
          <input type="hidden" name="refusalPrevId" value={refusal.previousSession.id} />
          <input type="hidden" name="refusalPrevDate" value={refusal.previousSession.date} />
        </>
      ) : null}
      {refusal.earliestAllowedDate ? (
        <input type="hidden" name="refusalEarliest" value={refusal.earliestAllowedDate} />
      ) : null}
      <label for="overrideReason">Override: the reason (recorded in the audit log)</label>
      <textarea
        id="overrideReason"
        name="overrideReason"
        required
        minlength={10}
        maxlength={1000}
        aria-describedby={
          errors["override.reason"] ? "override-hint override-error" : "override-hint"
        }
      >
        {values.overrideReason ?? ""}
      </textarea>
      <p class="hint" id="override-hint">
        At least 10 characters, e.g. who approved it and why.
      </p>
      {errors["override.reason"] ? (
        <p class="error" id="override-error">
          {errors["override.reason"]}
        </p>
      ) : null}
      <button type="submit">Book with override</button>
    </section>
  );
}

const withOverride = (form: Values) =>
  form.overrideReason !== undefined ? { override: { reason: form.overrideReason } } : {};

/** Booking for a patient, one booking's page, reschedule, and the status buttons. */
export function staffBookingPages(deps: AppDeps) {
  const { catalogs, reads, locationId, clock } = deps.bookings;
  const router = new Hono<AppEnv>();
  const actorOf = (c: Context<AppEnv>) => ({ kind: "staff" as const, id: c.get("staff").id });
  const load = async () => {
    const catalog = await catalogs.catalog(locationId);
    return {
      catalog,
      zone: catalog.clinic.policy.timezone,
      window: bookingWindow(catalog, clock.now()),
    };
  };

  /** A month calendar, then the day's times (and the patient's details when booking). */
  const picker = async (
    c: Context<AppEnv>,
    opts: {
      title: string;
      catalog: Catalog;
      treatment: Treatment;
      date: LocalDate | null;
      month: string | undefined;
      href: (q: { date?: string; month?: string }) => string;
      withPatient: boolean;
      values: Values;
      errors: Errors;
      notice?: string;
      refusal?: Refusal | null;
      status?: number;
      intro?: unknown;
    },
  ) => {
    const { catalog, treatment, date } = opts;
    const window = bookingWindow(catalog, clock.now());
    const zone = catalog.clinic.policy.timezone;
    const [{ month, open: dates }, times] = await Promise.all([
      calendarMonth(deps, window, treatment.id, opts.month, date ? monthOf(date) : undefined),
      date ? dayTimes(deps, treatment.id, date) : Promise.resolve([]),
    ]);
    const { Page, csrf } = staffFrame(c, deps, catalog.clinic.name);
    return sendPage(
      c,
      <Page title={opts.title}>
        <h1>{opts.title}</h1>
        {opts.intro as never}
        {opts.notice ? (
          <p class="notice bad" role="alert">
            {opts.notice}
          </p>
        ) : null}
        <div class="cols">
          <MonthCalendar
            month={month}
            weeks={monthWeeks(month, dates)}
            firstMonth={window.firstMonth}
            lastMonth={window.lastMonth}
            dayHref={(d) => opts.href({ date: d })}
            monthHref={(m) => opts.href({ month: m })}
          />
          <div>
            {date === null ? (
              <p>Choose a day.</p>
            ) : times.length === 0 && !opts.refusal ? (
              <p class="notice warn">No free times on {longDate(date)}.</p>
            ) : (
              <form method="post" action={opts.href({ date })}>
                <h2>{longDate(date)}</h2>
                <input type="hidden" name="_csrf" value={csrf} />
                <input type="hidden" name="formId" value={opts.values.formId ?? newFormId()} />
                {opts.refusal ? (
                  <OverrideBox refusal={opts.refusal} values={opts.values} errors={opts.errors} />
                ) : null}
                <TimesFieldset
                  times={
                    opts.values.start && !times.some((t) => t.value === opts.values.start)
                      ? [
                          ...times,
                          {
                            value: opts.values.start,
                            label: shortWhen(opts.values.start, zone),
                            practitionerIds: [],
                          },
                        ]
                      : times
                  }
                  catalog={catalog}
                  zone={zoneLabel(zone, new Date(`${date}T12:00:00Z`))}
                  values={opts.values}
                  errors={opts.errors}
                />
                {opts.withPatient ? (
                  <PatientFields values={opts.values} errors={opts.errors} forStaff />
                ) : null}
                {opts.refusal ? null : (
                  <button type="submit">{opts.withPatient ? "Book" : "Move here"}</button>
                )}
              </form>
            )}
          </div>
        </div>
      </Page>,
      { status: opts.status ?? 200 },
    );
  };

  const dateQuery = (c: Context<AppEnv>) => {
    const date = c.req.query("date");
    return date && isLocalDate(date) ? date : null;
  };

  router.get("/staff/book", async (c) => {
    const { catalog } = await load();
    const treatment = treatmentOf(catalog, c.req.query("treatmentId") ?? "");
    const { Page } = staffFrame(c, deps, catalog.clinic.name);
    if (!treatment) {
      return sendPage(
        c,
        <Page title="Book for a patient">
          <h1>Book for a patient</h1>
          <form method="get" action="/staff/book">
            <label for="treatmentId">Treatment</label>
            <select id="treatmentId" name="treatmentId" required>
              {catalog.treatments.map((t) => (
                <option value={t.id}>{t.name}</option>
              ))}
            </select>
            <p>
              <button type="submit">Show free days</button>
            </p>
          </form>
        </Page>,
      );
    }
    return picker(c, {
      title: `Book: ${treatment.name}`,
      catalog,
      treatment,
      date: dateQuery(c),
      month: c.req.query("month"),
      href: (q) => link("/staff/book", { treatmentId: treatment.id, ...q }),
      withPatient: true,
      values: {},
      errors: {},
      intro: (
        <p>
          <a href="/staff/book">Another treatment</a>
        </p>
      ),
    });
  });

  router.post("/staff/book", async (c) => {
    const { catalog } = await load();
    const treatment = treatmentOf(catalog, c.req.query("treatmentId") ?? "");
    const date = dateQuery(c);
    if (!treatment || !date) throw new DomainError("NOT_FOUND", "Choose a treatment and a day.");
    const form = await readForm(c, deps);
    const again = (state: {
      errors?: Errors;
      notice?: string;
      refusal?: Refusal | null;
      status: number;
    }) =>
      picker(c, {
        title: `Book: ${treatment.name}`,
        catalog,
        treatment,
        date,
        month: undefined,
        href: (q) => link("/staff/book", { treatmentId: treatment.id, ...q }),
        withPatient: true,
        values: form,
        errors: state.errors ?? {},
        ...state,
      });
    const parsed = StaffBookingIn.safeParse({
      ...bookingBody(treatment.id, form),
      ...withOverride(form),
    });
    if (!parsed.success) {
      const errors = zodErrors(parsed.error.issues);
      return again({
        errors,
        notice: "Please check the highlighted fields.",
        status: 422,
        ...(errors["override.reason"] ? { refusal: refusalFromForm(form) } : {}),
      });
    }
    try {
      const location = await oncePerForm(
        deps,
        `staff-book:${actorOf(c).id}`,
        form,
        parsed.data,
        (intent) => createBooking(deps.bookings, newBooking(parsed.data, actorOf(c)), intent),
        (b) => `/staff/bookings/${b.id}?done=${b.override ? "booked-override" : "booked"}`,
      );
      deps.logger.info("booking created", { source: "console", actor: actorOf(c).id });
      return c.redirect(location, 303);
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal) return again({ refusal, status: 409 });
      if (error instanceof DomainError && ["SLOT_TAKEN", "SLOT_UNAVAILABLE"].includes(error.code)) {
        const { start: _start, ...rest } = form;
        Object.assign(form, rest, { start: "" });
        return again({ notice: "That time has just been taken. Choose another.", status: 409 });
      }
      if (error instanceof DomainError && error.code === "VALIDATION") {
        return again({ errors: fieldErrors(error), notice: error.message, status: 422 });
      }
      throw error;
    }
  });

  router.get("/staff/bookings/:id", async (c) => {
    const { catalog, zone } = await load();
    const found = await reads.bookingWithFollowUps(locationId, c.req.param("id"));
    if (!found) throw new DomainError("NOT_FOUND", "No such booking.");
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
          now={clock.now()}
          back={`/staff/bookings/${b.id}`}
          zone={zone}
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
    const { catalog } = await load();
    const found = await reads.bookingWithFollowUps(locationId, c.req.param("id"));
    const f = found?.followUps.find((x) => x.step === c.req.param("step"));
    if (!found || !f?.rendered || !f.messageId)
      throw new DomainError("NOT_FOUND", "Nothing was sent for this.");
    const { Page } = staffFrame(c, deps, catalog.clinic.name);
    return sendPage(
      c,
      <Page title={`Sent email · ${f.rendered.subject}`}>
        <p>
          <a href={`/staff/bookings/${found.booking.id}`}>← The booking</a>
        </p>
        <h1>{f.rendered.subject}</h1>
        <p class="muted">
          To the patient, message id {f.messageId}
          {f.sentAt ? `, sent ${shortWhen(f.sentAt, catalog.clinic.policy.timezone)}` : ""}
        </p>
        <EmailView html={f.rendered.html} text={f.rendered.text} />
      </Page>,
      { showsEmail: true },
    );
  });

  const reschedulePicker = async (
    c: Context<AppEnv>,
    booking: Booking,
    state: {
      values: Values;
      errors: Errors;
      notice?: string;
      refusal?: Refusal | null;
      status?: number;
      date?: string | null;
    },
  ) => {
    const { catalog, zone } = await load();
    const treatment = treatmentOf(catalog, booking.treatmentId);
    if (!treatment) throw new DomainError("NOT_FOUND", "The treatment is no longer offered.");
    return picker(c, {
      title: `Reschedule ${booking.patient.name}`,
      catalog,
      treatment,
      date: state.date === undefined ? dateQuery(c) : state.date,
      month: c.req.query("month"),
      href: (q) => link(`/staff/bookings/${booking.id}/reschedule`, q),
      withPatient: false,
      values: state.values,
      errors: state.errors,
      ...(state.notice ? { notice: state.notice } : {}),
      refusal: state.refusal ?? null,
      status: state.status ?? 200,
      intro: (
        <p>
          Now: {appointmentWhen(new Date(booking.start), new Date(booking.end), zone)}.{" "}
          <a href={`/staff/bookings/${booking.id}`}>Back to the booking</a>
        </p>
      ),
    });
  };

  router.get("/staff/bookings/:id/reschedule", async (c) => {
    const booking = await getBooking(deps.bookings, c.req.param("id"));
    return reschedulePicker(c, booking, { values: {}, errors: {} });
  });

  router.post("/staff/bookings/:id/reschedule", async (c) => {
    const booking = await getBooking(deps.bookings, c.req.param("id"));
    const form = await readForm(c, deps);
    const date = dateQuery(c);
    const parsed = StaffRescheduleIn.safeParse({
      start: form.start ?? "",
      ...(form.practitionerId ? { practitionerId: form.practitionerId } : {}),
      ...withOverride(form),
    });
    if (!parsed.success) {
      return reschedulePicker(c, booking, {
        values: form,
        errors: zodErrors(parsed.error.issues),
        notice: "Please check the highlighted fields.",
        status: 422,
        date,
        refusal: zodErrors(parsed.error.issues)["override.reason"] ? refusalFromForm(form) : null,
      });
    }
    try {
      const location = await oncePerForm(
        deps,
        `staff-reschedule:${booking.id}`,
        form,
        parsed.data,
        (intent) =>
          rescheduleBooking(deps.bookings, reschedule(booking.id, parsed.data, actorOf(c)), intent),
        (b) => `/staff/bookings/${b.id}?done=moved`,
      );
      deps.logger.info("booking rescheduled", { bookingId: booking.id, source: "console" });
      return c.redirect(location, 303);
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal)
        return reschedulePicker(c, booking, {
          values: form,
          errors: {},
          refusal,
          status: 409,
          date,
        });
      if (
        error instanceof DomainError &&
        ["SLOT_TAKEN", "SLOT_UNAVAILABLE", "INVALID_STATE"].includes(error.code)
      ) {
        return reschedulePicker(c, booking, {
          values: { ...form, start: "" },
          errors: {},
          notice: error.message,
          status: 409,
          date,
        });
      }
      throw error;
    }
  });

  router.post("/staff/bookings/:id/:action{complete|no-show|cancel}", async (c) => {
    const form = await readForm(c, deps);
    const action = c.req.param("action") as "complete" | "no-show" | "cancel";
    const id = c.req.param("id");
    const target = { complete: "completed", "no-show": "no-show", cancel: "cancelled" }[action];
    let booking: Booking;
    try {
      booking = await changeStatus(deps.bookings, { bookingId: id, action, actor: actorOf(c) });
      deps.logger.info(`booking ${action}`, { bookingId: id, actor: actorOf(c).id });
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

/** Complete / no-show once the session has started; cancel and reschedule while confirmed. */
export function StatusActions({
  booking: b,
  csrf,
  now,
  back,
  zone,
}: {
  booking: Booking;
  csrf: string;
  now: Date;
  back: string;
  zone: string;
}) {
  if (b.status !== "confirmed") return null;
  const started = now.getTime() >= Date.parse(b.start);
  const whose = `${b.patient.name}, ${shortWhen(b.start, zone)}`;
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
      {started ? button("complete", "Completed") : null}
      {started ? button("no-show", "No-show", "small secondary") : null}
      <a
        class="button small secondary"
        href={`/staff/bookings/${b.id}/reschedule`}
        aria-label={`Reschedule: ${whose}`}
      >
        Reschedule
      </a>
      {button("cancel", "Cancel", "small danger", "Cancel this booking?")}
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
