import { type Context, Hono } from "hono";
import type { Booking } from "../../../shared/domain/booking";
import { DomainError } from "../../../shared/domain/errors";
import { getBooking, rescheduleBooking } from "../../../shared/services/bookings";
import type { AppDeps, AppEnv } from "../context";
import { reschedule } from "../requests";
import { StaffRescheduleIn } from "../schemas";
import { appointmentWhen } from "./format";
import { link } from "./link";
import { treatmentOf } from "./slots";
import { dateQuery, type PickerOptions, staffPicker } from "./staff-book";
import { staffActor, staffRefused, staffRerender, withOverride } from "./staff-override";
import { submitForm } from "./submit";

/** Moving a booking from the console, with the override box when spacing refuses. */
export function staffReschedulePages(deps: AppDeps) {
  const { catalogs, locationId } = deps.bookings;
  const router = new Hono<AppEnv>();
  const picker = staffPicker(deps);

  const reschedulePicker = async (
    c: Context<AppEnv>,
    booking: Booking,
    state: Pick<PickerOptions, "values" | "errors" | "notice" | "refusal" | "status">,
  ) => {
    const catalog = await catalogs.catalog(locationId);
    const zone = catalog.clinic.policy.timezone;
    const treatment = treatmentOf(catalog, booking.treatmentId);
    if (!treatment) throw new DomainError("NOT_FOUND", "The treatment is no longer offered.");
    return picker(c, {
      title: `Reschedule ${booking.patient.name}`,
      catalog,
      treatment,
      date: dateQuery(c),
      month: c.req.query("month"),
      href: (q) => link(`/staff/bookings/${booking.id}/reschedule`, q),
      withPatient: false,
      ...state,
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
    const actor = staffActor(c);
    return submitForm(c, deps, {
      scope: `staff-reschedule:${booking.id}`,
      parse: (form) =>
        StaffRescheduleIn.safeParse({
          start: form.start ?? "",
          ...(form.practitionerId ? { practitionerId: form.practitionerId } : {}),
          ...withOverride(form),
        }),
      invalid: "Please check the highlighted fields.",
      run: (input, intent) =>
        rescheduleBooking(deps.bookings, reschedule(booking.id, input, actor), intent),
      location: (b) => `/staff/bookings/${b.id}?done=moved`,
      log: { message: "booking rescheduled", fields: { bookingId: booking.id, source: "console" } },
      refused: (error) => staffRefused(error, ["SLOT_TAKEN", "SLOT_UNAVAILABLE", "INVALID_STATE"]),
      again: (state) => reschedulePicker(c, booking, staffRerender(state)),
    });
  });

  return router;
}
