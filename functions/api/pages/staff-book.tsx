import { type Context, Hono } from "hono";
import { isLocalDate, type LocalDate } from "../../../shared/domain/calendar";
import type { Catalog, Treatment } from "../../../shared/domain/catalog";
import { DomainError } from "../../../shared/domain/errors";
import { createBooking } from "../../../shared/services/bookings";
import type { AppDeps, AppEnv } from "../context";
import { newBooking } from "../requests";
import { StaffBookingIn } from "../schemas";
import { bookingBody, PatientFields, TimesFieldset } from "./booking-form";
import { MonthCalendar, monthOf, monthWeeks } from "./calendar";
import { longDate, shortWhen, zoneLabel } from "./format";
import { newFormId } from "./forms";
import { sendPage } from "./layout";
import { link } from "./link";
import { bookingWindow, calendarMonth, dayTimes, treatmentOf } from "./slots";
import {
  OverrideBox,
  type Refusal,
  staffActor,
  staffRefused,
  staffRerender,
  withOverride,
} from "./staff-override";
import { staffFrame } from "./staff-session";
import { type Rerender, submitForm } from "./submit";

/** The `?date=` of a picker's link, when it is a date. */
export const dateQuery = (c: Context<AppEnv>) => {
  const date = c.req.query("date");
  return date && isLocalDate(date) ? date : null;
};

/**
 * The console's time picker, for booking and for moving a booking: a month
 * calendar, then the day's times (and the patient's details when booking), with
 * the override box when a refusal may be overridden.
 */
export function staffPicker(deps: AppDeps) {
  const { clock } = deps.bookings;
  return async (
    c: Context<AppEnv>,
    opts: {
      title: string;
      catalog: Catalog;
      treatment: Treatment;
      date: LocalDate | null;
      month: string | undefined;
      href: (q: { date?: string; month?: string }) => string;
      withPatient: boolean;
      values: Rerender["values"];
      errors: Rerender["errors"];
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
}

export type PickerOptions = Parameters<ReturnType<typeof staffPicker>>[1];

/** Booking for a patient: choose the treatment, then the day and time, then the patient. */
export function staffBookPages(deps: AppDeps) {
  const { catalogs, locationId } = deps.bookings;
  const router = new Hono<AppEnv>();
  const picker = staffPicker(deps);
  const bookPicker = (
    c: Context<AppEnv>,
    catalog: Catalog,
    treatment: Treatment,
    state: Omit<PickerOptions, "title" | "catalog" | "treatment" | "href" | "withPatient">,
  ) =>
    picker(c, {
      title: `Book: ${treatment.name}`,
      catalog,
      treatment,
      href: (q) => link("/staff/book", { treatmentId: treatment.id, ...q }),
      withPatient: true,
      ...state,
    });

  router.get("/staff/book", async (c) => {
    const catalog = await catalogs.catalog(locationId);
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
    return bookPicker(c, catalog, treatment, {
      date: dateQuery(c),
      month: c.req.query("month"),
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
    const catalog = await catalogs.catalog(locationId);
    const treatment = treatmentOf(catalog, c.req.query("treatmentId") ?? "");
    const date = dateQuery(c);
    if (!treatment || !date) throw new DomainError("NOT_FOUND", "Choose a treatment and a day.");
    const actor = staffActor(c);
    return submitForm(c, deps, {
      scope: `staff-book:${actor.id}`,
      parse: (form) =>
        StaffBookingIn.safeParse({ ...bookingBody(treatment.id, form), ...withOverride(form) }),
      invalid: "Please check the highlighted fields.",
      run: (input, intent) => createBooking(deps.bookings, newBooking(input, actor), intent),
      location: (b) => `/staff/bookings/${b.id}?done=${b.override ? "booked-override" : "booked"}`,
      log: { message: "booking created", fields: { source: "console", actor: actor.id } },
      refused: (error) =>
        staffRefused(
          error,
          ["SLOT_TAKEN", "SLOT_UNAVAILABLE"],
          "That time has just been taken. Choose another.",
        ),
      again: (state) =>
        bookPicker(c, catalog, treatment, { date, month: undefined, ...staffRerender(state) }),
    });
  });

  return router;
}
