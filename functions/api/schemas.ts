import { z } from "@hono/zod-openapi";
import { isLocalDate } from "../../shared/domain/calendar";
import { MIN_OVERRIDE_REASON_LENGTH } from "../../shared/domain/spacing";
import { STATUS } from "./errors";
import { KEY_RE } from "./idempotency";

/** Request and response schemas: they validate, and they write /openapi.json. */

// No control characters (CR/LF would reach email headers) and no markup.
// No invisible format characters either (bidi overrides could disguise a name).
const SAFE_TEXT = /^[^\p{Cc}\p{Cf}<>]*$/u;

/**
 * Text a person typed, refused when it has a control or format character or markup.
 * The document gets the regex's source as its `pattern` (an ECMA-262 regex, which
 * JSON Schema reads in Unicode mode): left to itself, the generator would print the
 * regex with its flags, `.../u`, and no value would match.
 */
const safeText = (schema: z.ZodString, message: string) =>
  schema.regex(SAFE_TEXT, message).openapi({ pattern: SAFE_TEXT.source });

export const Id = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "Must be an id")
  .openapi({ example: "microneedling-face" });

export const LocalDateSchema = z
  .string()
  .refine(isLocalDate, "Must be a date, YYYY-MM-DD")
  // The refinement is code; the document says the same with a format.
  .openapi({ format: "date", example: "2026-12-03" });

export const Instant = z.iso
  .datetime({ offset: true, message: "Must be an ISO-8601 instant with offset" })
  .refine((s) => !Number.isNaN(Date.parse(s)), "Not a real instant")
  .openapi({ example: "2026-12-03T10:00:00-08:00" });

export const PatientIn = z
  .strictObject({
    name: safeText(
      z.string().trim().min(1, "Required").max(100, "At most 100 characters"),
      "Letters, spaces and punctuation only; no line breaks or < >",
    ),
    email: z
      .string()
      .trim()
      .max(254, "At most 254 characters")
      .pipe(z.email("Must be an email address")),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ().-]{7,20}$/, "Must be a phone number")
      .optional(),
  })
  .openapi("PatientIn");

const bookingFields = {
  treatmentId: Id,
  start: Instant,
  practitionerId: Id.optional(),
  patient: PatientIn,
  consent: z.strictObject({ aftercareEmails: z.boolean() }),
};

export const BookingIn = z.strictObject(bookingFields).openapi("BookingIn");

export const OverrideIn = z
  .strictObject({
    reason: safeText(
      z
        .string()
        .trim()
        .min(
          MIN_OVERRIDE_REASON_LENGTH,
          `Give a reason of at least ${MIN_OVERRIDE_REASON_LENGTH} characters`,
        )
        .max(1000),
      "No line breaks or < >",
    ),
  })
  .openapi("OverrideIn");

// The staff bodies repeat the public fields rather than `.extend()` them: the
// generator writes an extension as an `allOf` of the two closed objects, which no
// body satisfies (each refuses the other's fields).
export const StaffBookingIn = z
  .strictObject({ ...bookingFields, override: OverrideIn.optional() })
  .openapi("StaffBookingIn");

const rescheduleFields = { start: Instant, practitionerId: Id.optional() };

export const RescheduleIn = z.strictObject(rescheduleFields).openapi("RescheduleIn");

export const StaffRescheduleIn = z
  .strictObject({ ...rescheduleFields, override: OverrideIn.optional() })
  .openapi("StaffRescheduleIn");

export const BookingOut = z
  .object({
    id: z.string(),
    status: z.enum(["confirmed", "completed", "no-show", "cancelled"]),
    start: z.string().openapi({ example: "2026-12-03T10:00:00-08:00" }),
    end: z.string(),
    date: z.string(),
    timezone: z.string(),
    treatmentId: z.string(),
    practitionerId: z.string(),
  })
  .openapi("Booking");

export const StaffBookingOut = BookingOut.extend({
  patient: z.object({ name: z.string(), email: z.string(), phone: z.string().optional() }),
  source: z.enum(["online", "staff"]),
  consent: z.object({ aftercareEmails: z.boolean() }),
  override: z
    .object({
      actor: z.string(),
      reason: z.string(),
      at: z.string(),
      previousSession: z.object({ id: z.string(), date: z.string() }),
      earliestAllowedDate: z.string(),
    })
    .optional(),
}).openapi("StaffBooking");

const ERROR_CODES = Object.keys(STATUS) as [keyof typeof STATUS, ...(keyof typeof STATUS)[]];

const LocalDateOut = z.string().openapi({ format: "date", example: "2026-12-03" });

/**
 * Every error: a stable code and a message, and with some codes the details that
 * belong to them (a staff caller's spacing refusal names the previous session and
 * the dates the rule allows; an unexpected error only its request id).
 */
export const ErrorOut = z
  .object({
    error: z.object({
      code: z.enum([...ERROR_CODES, "INTERNAL"]).openapi({ example: "SLOT_TAKEN" }),
      message: z.string(),
      issues: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: "VALIDATION: one entry per field (or parameter) refused" }),
      earliestAllowedDate: LocalDateOut.optional().openapi({
        description: "SPACING_TOO_SOON to staff: the first date the spacing rule allows",
      }),
      latestAllowedDate: LocalDateOut.optional().openapi({
        description:
          "SPACING_TOO_SOON to staff, when a later session bounds the window: the last date allowed before it",
      }),
      previousSession: z
        .object({ id: z.string(), date: LocalDateOut })
        .optional()
        .openapi({ description: "SPACING_TOO_SOON to staff: the session too close to this one" }),
      upcomingSessions: z.number().int().optional().openapi({
        description: "TOO_MANY_FUTURE_BOOKINGS to staff: the patient's upcoming sessions",
      }),
      maxFutureBookings: z
        .number()
        .int()
        .optional()
        .openapi({ description: "TOO_MANY_FUTURE_BOOKINGS to staff: the clinic's cap" }),
      status: z
        .string()
        .optional()
        .openapi({ description: "INVALID_STATE: the booking's status now" }),
      cutoffHours: z.number().optional().openapi({
        description: "TOO_LATE_TO_CHANGE: how many hours before a session online changes close",
      }),
      requestId: z
        .string()
        .optional()
        .openapi({ description: "INTERNAL: the request id to quote to the clinic" }),
    }),
  })
  .openapi("Error");

/** The optional `Idempotency-Key` of a POST (checked by `idempotent`, which names the header). */
export const IdempotencyHeader = z.object({
  "idempotency-key": z.string().optional().openapi({
    pattern: KEY_RE.source,
    description:
      "Any id of yours: a retry with the same key and body gets the first answer and changes nothing",
    example: "3f2b8c1e-book-1",
  }),
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const errors = (...codes: [number, string][]) =>
  Object.fromEntries(
    codes.map(([status, description]) => [status, jsonResponse(ErrorOut, description)]),
  );
