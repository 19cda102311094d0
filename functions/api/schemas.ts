import { z } from "@hono/zod-openapi";
import { isLocalDate } from "../../shared/domain/calendar";
import { MIN_OVERRIDE_REASON_LENGTH } from "../../shared/domain/spacing";

/** Request and response schemas: they validate, and they write /openapi.json. */

// No control characters (CR/LF would reach email headers) and no markup.
// No invisible format characters either (bidi overrides could disguise a name).
const SAFE_TEXT = /^[^\p{Cc}\p{Cf}<>]*$/u;

export const Id = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "Must be an id")
  .openapi({ example: "microneedling-face" });

export const LocalDateSchema = z
  .string()
  .refine(isLocalDate, "Must be a date, YYYY-MM-DD")
  .openapi({ example: "2026-12-03" });

export const Instant = z.iso
  .datetime({ offset: true, message: "Must be an ISO-8601 instant with offset" })
  .refine((s) => !Number.isNaN(Date.parse(s)), "Not a real instant")
  .openapi({ example: "2026-12-03T10:00:00-08:00" });

export const PatientIn = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1, "Required")
      .max(100, "At most 100 characters")
      .regex(SAFE_TEXT, "Letters, spaces and punctuation only; no line breaks or < >"),
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

export const BookingIn = z
  .strictObject({
    treatmentId: Id,
    start: Instant,
    practitionerId: Id.optional(),
    patient: PatientIn,
    consent: z.strictObject({ aftercareEmails: z.boolean() }),
  })
  .openapi("BookingIn");

export const OverrideIn = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(
      MIN_OVERRIDE_REASON_LENGTH,
      `Give a reason of at least ${MIN_OVERRIDE_REASON_LENGTH} characters`,
    )
    .max(1000)
    .regex(SAFE_TEXT, "No line breaks or < >"),
});

export const StaffBookingIn = BookingIn.extend({ override: OverrideIn.optional() }).openapi(
  "StaffBookingIn",
);

export const RescheduleIn = z
  .strictObject({ start: Instant, practitionerId: Id.optional() })
  .openapi("RescheduleIn");

export const StaffRescheduleIn = RescheduleIn.extend({ override: OverrideIn.optional() }).openapi(
  "StaffRescheduleIn",
);

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

export const ErrorOut = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "SLOT_TAKEN" }),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi("Error");

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
