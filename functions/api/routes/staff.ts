import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie } from "hono/cookie";
import type { Booking } from "../../../shared/domain/booking";
import { addDays, daysBetween, instantAt } from "../../../shared/domain/calendar";
import { DomainError } from "../../../shared/domain/errors";
import {
  changeStatus,
  createBooking,
  getBooking,
  rescheduleBooking,
} from "../../../shared/services/bookings";
import { type AppDeps, type AppEnv, STAFF_COOKIE, secureCookies } from "../context";
import { idempotent } from "../idempotency";
import { operation, PUBLIC, STAFF_SECURITY } from "../operations";
import { clinicTimezone, newBooking, reschedule } from "../requests";
import { newRouter } from "../router";
import {
  errors,
  Id,
  IdempotencyHeader,
  jsonBody,
  jsonResponse,
  LocalDateSchema,
  StaffBookingIn,
  StaffBookingOut,
  StaffRescheduleIn,
} from "../schemas";
import { setStaffSession } from "../staff-auth";
import { staffBooking } from "../views";
import { manageUrl } from "./bookings";

const security = STAFF_SECURITY;
const IdParam = z.object({ id: Id });
const BookingResult = jsonResponse(z.object({ booking: StaffBookingOut }), "The booking");

const sessionRoute = operation({
  method: "post",
  path: "/api/staff/session",
  operationId: "signIn",
  security: PUBLIC,
  tags: ["Staff"],
  summary: "Sign in (email and password); sets an HttpOnly session cookie",
  request: {
    body: jsonBody(
      z.strictObject({ email: z.email().max(254), password: z.string().min(1).max(256) }),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ token: z.string(), expiresAt: z.string() }), "Signed in"),
    ...errors([401, "Wrong email or password"]),
  },
});

const signOutRoute = operation(
  {
    method: "delete",
    path: "/api/staff/session",
    operationId: "signOut",
    security: PUBLIC,
    tags: ["Staff"],
    summary: "Sign out: clears the session cookie",
    responses: { 204: { description: "Signed out" } },
  },
  { reachesServices: false },
);

const scheduleRoute = operation({
  method: "get",
  path: "/api/staff/schedule",
  operationId: "getSchedule",
  tags: ["Staff"],
  summary: "The day's bookings, all practitioners, in start order",
  security,
  request: { query: z.strictObject({ date: LocalDateSchema }) },
  responses: {
    200: jsonResponse(
      z.object({ date: z.string(), timezone: z.string(), bookings: z.array(StaffBookingOut) }),
      "The schedule",
    ),
  },
});

const createBookingRoute = operation({
  method: "post",
  path: "/api/staff/bookings",
  operationId: "staffCreateBooking",
  tags: ["Staff"],
  summary: "Book for a patient; `override.reason` books despite the spacing rule (audited)",
  security,
  request: {
    headers: IdempotencyHeader,
    body: jsonBody(StaffBookingIn),
  },
  responses: {
    201: jsonResponse(z.object({ booking: StaffBookingOut, manageUrl: z.string() }), "Booked"),
    ...errors(
      [
        409,
        "SPACING_TOO_SOON (with earliestAllowedDate and previousSession), TOO_MANY_FUTURE_BOOKINGS (with the figures), SLOT_TAKEN or SLOT_UNAVAILABLE",
      ],
      [422, "VALIDATION, or IDEMPOTENCY_KEY_REUSED with another body"],
    ),
  },
});

const getBookingRoute = operation({
  method: "get",
  path: "/api/staff/bookings/{id}",
  operationId: "staffGetBooking",
  tags: ["Staff"],
  summary: "One booking",
  security,
  request: { params: IdParam },
  responses: { 200: BookingResult, ...errors([404, "Not found"]) },
});

const rescheduleRoute = operation({
  method: "post",
  path: "/api/staff/bookings/{id}/reschedule",
  operationId: "staffRescheduleBooking",
  tags: ["Staff"],
  summary: "Move a booking; `override.reason` as for booking",
  security,
  request: { params: IdParam, body: jsonBody(StaffRescheduleIn) },
  responses: {
    200: BookingResult,
    ...errors(
      [404, "No such booking"],
      [409, "SPACING_TOO_SOON (with its details), SLOT_TAKEN, SLOT_UNAVAILABLE or INVALID_STATE"],
    ),
  },
});

const OPERATION_IDS = {
  complete: "completeBooking",
  "no-show": "markNoShow",
  cancel: "staffCancelBooking",
} as const;

/** A cancel may say who called it: the patient's email says "as asked", the clinic's "had to". */
const StaffCancelIn = z.strictObject({
  cancelledBy: z.enum(["patient", "clinic"]).optional().openapi({
    description:
      "`patient`: the patient asked (by phone, at the desk); `clinic` (default): the clinic has to cancel",
  }),
});

const statusRoute = (action: "complete" | "no-show" | "cancel", summary: string) =>
  operation({
    method: "post",
    path: `/api/staff/bookings/{id}/${action}`,
    operationId: OPERATION_IDS[action],
    tags: ["Staff"],
    summary,
    security,
    request: { params: IdParam },
    responses: {
      200: BookingResult,
      ...errors([404, "Not found"], [409, "INVALID_STATE"]),
    },
  });

const cancelRoute = operation({
  ...statusRoute(
    "cancel",
    "Cancel; frees the time and emails the patient a cancellation with its calendar file",
  ),
  request: { params: IdParam, body: { ...jsonBody(StaffCancelIn), required: false } },
});

const auditRoute = operation({
  method: "get",
  path: "/api/staff/audit",
  operationId: "listAuditEntries",
  tags: ["Staff"],
  summary: "Spacing overrides between two clinic-local dates (inclusive)",
  security,
  request: { query: z.strictObject({ from: LocalDateSchema, to: LocalDateSchema }) },
  responses: {
    200: jsonResponse(
      z.object({
        entries: z.array(
          z.object({
            at: z.string(),
            actor: z.string(),
            action: z.string(),
            bookingId: z.string(),
            reason: z.string(),
            details: z.record(z.string(), z.string()),
          }),
        ),
      }),
      "Audit entries, oldest first",
    ),
    ...errors([422, "A bad date, or a range that runs backwards"]),
  },
});

export function staffRoutes(deps: AppDeps) {
  const { reads, locationId } = deps.bookings;
  const timezone = clinicTimezone(deps);
  const actorOf = (c: Context<AppEnv>) => ({ kind: "staff" as const, id: c.get("staff").id });
  const secure = secureCookies(deps);
  const router = newRouter();

  router.openapi(sessionRoute, async (c) => {
    const { email, password } = c.req.valid("json");
    const session = await deps.staffSignIn.signIn(email, password);
    setStaffSession(c, deps, session);
    return c.json({ token: session.token, expiresAt: session.expiresAt.toISOString() }, 200);
  });
  router.openapi(signOutRoute, (c) => {
    deleteCookie(c, STAFF_COOKIE, { path: "/", secure });
    return c.body(null, 204);
  });

  const result = async (c: Context<AppEnv>, booking: Booking) =>
    c.json({ booking: staffBooking(booking, await timezone()) }, 200);

  router.openapi(scheduleRoute, async (c) => {
    const { date } = c.req.valid("query");
    const [bookings, tz] = await Promise.all([reads.schedule(locationId, date), timezone()]);
    bookings.sort((a, b) => (a.start < b.start ? -1 : 1));
    return c.json({ date, timezone: tz, bookings: bookings.map((b) => staffBooking(b, tz)) }, 200);
  });

  router.openapi(createBookingRoute, async (c) => {
    const body = c.req.valid("json");
    const tz = await timezone();
    const actor = actorOf(c);
    return idempotent(c, deps, `staff:${actor.id}:create`, body, async (intent) => {
      const respond = (b: Booking) => ({
        status: 201,
        body: { booking: staffBooking(b, tz), manageUrl: manageUrl(deps, b) },
      });
      const booking = await createBooking(
        deps.bookings,
        newBooking(body, actor),
        intent && { ...intent, respond },
      );
      deps.logger.info("booking created", {
        bookingId: booking.id,
        source: "staff",
        actor: actor.id,
        overridden: Boolean(booking.override),
      });
      return respond(booking);
    }) as never;
  });

  router.openapi(getBookingRoute, async (c) =>
    result(c, await getBooking(deps.bookings, c.req.valid("param").id)),
  );

  router.openapi(rescheduleRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const booking = await rescheduleBooking(deps.bookings, reschedule(id, body, actorOf(c)));
    deps.logger.info("booking rescheduled", { bookingId: id, source: "staff" });
    return result(c, booking);
  });

  for (const [action, summary] of [
    ["complete", "Mark completed (once the session has started); starts the aftercare"],
    [
      "no-show",
      "Mark no-show (once the session has started); no aftercare is sent, the plan's no-show email is",
    ],
  ] as const) {
    router.openapi(statusRoute(action, summary), async (c) => {
      const { id } = c.req.valid("param");
      const booking = await changeStatus(deps.bookings, {
        bookingId: id,
        action,
        actor: actorOf(c),
      });
      deps.logger.info(`booking ${action}`, { bookingId: id, actor: actorOf(c).id });
      return result(c, booking);
    });
  }
  router.openapi(cancelRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { cancelledBy } = c.req.valid("json");
    const booking = await changeStatus(deps.bookings, {
      bookingId: id,
      action: "cancel",
      actor: actorOf(c),
      ...(cancelledBy ? { cancelledBy } : {}),
    });
    deps.logger.info("booking cancel", { bookingId: id, actor: actorOf(c).id, cancelledBy });
    return result(c, booking);
  });

  router.openapi(auditRoute, async (c) => {
    const { from, to } = c.req.valid("query");
    if (daysBetween(from, to) < 0) {
      throw new DomainError("VALIDATION", "The range must run forward.", {
        issues: [{ path: "to", message: "Must be on or after from" }],
      });
    }
    const tz = await timezone();
    const entries = await reads.audit(
      locationId,
      instantAt(from, "00:00", tz).toISOString(),
      instantAt(addDays(to, 1), "00:00", tz).toISOString(),
    );
    return c.json(
      {
        entries: entries.map((e) => ({
          at: e.at,
          actor: e.actor,
          action: e.action,
          bookingId: e.bookingId,
          reason: e.reason,
          details: e.details,
        })),
      },
      200,
    );
  });

  return router;
}
