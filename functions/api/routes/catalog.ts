import { z } from "@hono/zod-openapi";
import { localIsoFormatter } from "../../../shared/domain/calendar";
import { earliestAllowedFor, listAvailability } from "../../../shared/services/availability";
import type { AppDeps } from "../context";
import { operation, PUBLIC } from "../operations";
import { newRouter } from "../router";
import { errors, Id, jsonResponse, LocalDateSchema } from "../schemas";

const treatmentsRoute = operation({
  method: "get",
  path: "/api/treatments",
  operationId: "listTreatments",
  tags: ["Public"],
  summary: "Treatments the clinic offers",
  security: PUBLIC,
  // No parameters: one sent anyway is refused, as everywhere else.
  request: { query: z.strictObject({}) },
  responses: {
    200: jsonResponse(
      z.object({
        treatments: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            durationMinutes: z.number(),
            minIntervalDays: z.number().nullable(),
          }),
        ),
      }),
      "The treatments",
    ),
  },
});

const availabilityRoute = operation({
  method: "get",
  path: "/api/availability",
  operationId: "listAvailability",
  tags: ["Public"],
  summary: "Free slots for a treatment between two dates (at most 62 days apart)",
  security: PUBLIC,
  request: {
    query: z.strictObject({
      treatmentId: Id,
      from: LocalDateSchema,
      to: LocalDateSchema,
      practitionerId: Id.optional(),
      rebook: z
        .string()
        .max(200)
        .optional()
        .openapi({ description: "The signed patient token of a rebooking link" }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        timezone: z.string(),
        slots: z.array(
          z.object({ start: z.string(), end: z.string(), practitionerId: z.string() }),
        ),
        earliestAllowedDate: z
          .string()
          .optional()
          .openapi({ description: "With a rebooking token: the first date this patient may book" }),
      }),
      "Free slots, earliest first",
    ),
    ...errors([422, "Bad range or unknown treatment"]),
  },
});

export function catalogRoutes(deps: AppDeps) {
  const { catalogs, locationId } = deps.bookings;
  return newRouter()
    .openapi(treatmentsRoute, async (c) => {
      const catalog = await catalogs.catalog(locationId);
      return c.json(
        {
          treatments: catalog.treatments.map((t) => ({
            id: t.id,
            name: t.name,
            durationMinutes: t.durationMinutes,
            minIntervalDays: t.minIntervalDays,
          })),
        },
        200,
      );
    })
    .openapi(availabilityRoute, async (c) => {
      const { rebook, ...q } = c.req.valid("query");
      const { timezone, slots } = await listAvailability(deps.bookings, q);
      const patientId = rebook
        ? deps.tokens.verify(rebook, "rebook", deps.bookings.clock.now())
        : null;
      // An expired or altered link just loses its extra: the slots are public anyway.
      const earliest = patientId
        ? await earliestAllowedFor(deps.bookings, patientId, q.treatmentId)
        : undefined;
      const localIso = localIsoFormatter(timezone);
      return c.json(
        {
          ...(earliest ? { earliestAllowedDate: earliest } : {}),
          timezone,
          slots: slots.map((s) => ({
            start: localIso(s.start),
            end: localIso(s.end),
            practitionerId: s.practitionerId,
          })),
        },
        200,
      );
    });
}
