import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Booking } from "../../../shared/domain/booking";
import { DomainError } from "../../../shared/domain/errors";
import {
  changeStatus,
  createBooking,
  getBooking,
  rescheduleBooking,
} from "../../../shared/services/bookings";
import { manageUrl as linkFor } from "../../../shared/services/links";
import type { AppDeps, AppEnv } from "../context";
import { idempotent } from "../idempotency";
import { operation, PUBLIC } from "../operations";
import { clinicTimezone, newBooking, reschedule } from "../requests";
import { newRouter } from "../router";
import {
  BookingIn,
  BookingOut,
  errors,
  Id,
  IdempotencyHeader,
  jsonBody,
  jsonResponse,
  RescheduleIn,
} from "../schemas";
import { publicBooking } from "../views";

const security = [{ manageToken: [] }];
const TokenQuery = z.strictObject({ token: z.string().max(200).optional() });
const IdParam = z.object({ id: Id });

const createRouteDef = operation({
  method: "post",
  path: "/api/bookings",
  operationId: "createBooking",
  tags: ["Public"],
  summary: "Book a session",
  security: PUBLIC,
  description:
    "Send `Idempotency-Key` to make retries safe. A spacing refusal reveals no dates: the patient is told by email.",
  request: {
    headers: IdempotencyHeader,
    body: jsonBody(BookingIn),
  },
  responses: {
    201: jsonResponse(z.object({ booking: BookingOut, manageUrl: z.string() }), "Booked"),
    ...errors(
      [409, "SLOT_TAKEN, SLOT_UNAVAILABLE, SPACING_TOO_SOON or TOO_MANY_FUTURE_BOOKINGS"],
      [
        422,
        "VALIDATION (an unknown treatment among them), or IDEMPOTENCY_KEY_REUSED with another body",
      ],
    ),
  },
});

const getRouteDef = operation({
  method: "get",
  path: "/api/bookings/{id}",
  operationId: "getBooking",
  tags: ["Public"],
  summary: "A booking, for the holder of its manage link",
  security,
  request: { params: IdParam, query: TokenQuery },
  responses: {
    200: jsonResponse(z.object({ booking: BookingOut }), "The booking"),
    ...errors([404, "Missing, wrong or expired token, or no such booking"]),
  },
});

const rescheduleRouteDef = operation({
  method: "post",
  path: "/api/bookings/{id}/reschedule",
  operationId: "rescheduleBooking",
  tags: ["Public"],
  summary: "Move a booking (until the change cut-off)",
  security,
  request: {
    params: IdParam,
    query: TokenQuery,
    headers: IdempotencyHeader,
    body: jsonBody(RescheduleIn),
  },
  responses: {
    200: jsonResponse(z.object({ booking: BookingOut }), "Moved"),
    ...errors(
      [404, "Missing, wrong or expired token, or no such booking"],
      [409, "SLOT_TAKEN, SLOT_UNAVAILABLE, SPACING_TOO_SOON, TOO_LATE_TO_CHANGE or INVALID_STATE"],
    ),
  },
});

const cancelRouteDef = operation({
  method: "post",
  path: "/api/bookings/{id}/cancel",
  operationId: "cancelBooking",
  tags: ["Public"],
  summary: "Cancel a booking (until the change cut-off)",
  security,
  request: { params: IdParam, query: TokenQuery, headers: IdempotencyHeader },
  responses: {
    200: jsonResponse(z.object({ booking: BookingOut }), "Cancelled"),
    ...errors(
      [404, "Missing, wrong or expired token, or no such booking"],
      [409, "TOO_LATE_TO_CHANGE or INVALID_STATE"],
    ),
  },
});

export function manageUrl(deps: AppDeps, booking: Booking): string {
  return linkFor(deps, booking.id, booking.start);
}

/** The booking id the caller may manage, or 404 that never says why. */
function authorisedBookingId(c: Context<AppEnv>, deps: AppDeps, id: string): string {
  const header = c.req.header("Authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const token = header ?? c.req.query("token");
  const subject = deps.tokens.verify(token, "manage", deps.bookings.clock.now());
  if (subject !== id) throw new DomainError("NOT_FOUND", "Booking not found.");
  return id;
}

export function bookingRoutes(deps: AppDeps) {
  const timezone = clinicTimezone(deps);

  return newRouter()
    .openapi(createRouteDef, async (c) => {
      const body = c.req.valid("json");
      const tz = await timezone();
      return idempotent(c, deps, "public:create", body, async (intent) => {
        const respond = (b: Booking) => ({
          status: 201,
          body: { booking: publicBooking(b, tz), manageUrl: manageUrl(deps, b) },
        });
        const booking = await createBooking(
          deps.bookings,
          newBooking(body, { kind: "patient" }),
          intent && { ...intent, respond },
        );
        deps.logger.info("booking created", { bookingId: booking.id, source: "online" });
        return respond(booking);
      }) as never;
    })
    .openapi(getRouteDef, async (c) => {
      const id = authorisedBookingId(c, deps, c.req.valid("param").id);
      const booking = await getBooking(deps.bookings, id);
      return c.json({ booking: publicBooking(booking, await timezone()) }, 200);
    })
    .openapi(rescheduleRouteDef, async (c) => {
      const id = authorisedBookingId(c, deps, c.req.valid("param").id);
      const body = c.req.valid("json");
      const tz = await timezone();
      return idempotent(c, deps, `public:reschedule:${id}`, body, async (intent) => {
        const respond = (b: Booking) => ({ status: 200, body: { booking: publicBooking(b, tz) } });
        const booking = await rescheduleBooking(
          deps.bookings,
          reschedule(id, body, { kind: "patient" }),
          intent && { ...intent, respond },
        );
        deps.logger.info("booking rescheduled", { bookingId: id, source: "online" });
        return respond(booking);
      }) as never;
    })
    .openapi(cancelRouteDef, async (c) => {
      const id = authorisedBookingId(c, deps, c.req.valid("param").id);
      const tz = await timezone();
      return idempotent(c, deps, `public:cancel:${id}`, null, async (intent) => {
        const respond = (b: Booking) => ({ status: 200, body: { booking: publicBooking(b, tz) } });
        const booking = await changeStatus(
          deps.bookings,
          { bookingId: id, action: "cancel", actor: { kind: "patient" } },
          intent && { ...intent, respond },
        );
        deps.logger.info("booking cancelled", { bookingId: id, source: "online" });
        return respond(booking);
      }) as never;
    });
}
