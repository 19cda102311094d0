import { z } from "@hono/zod-openapi";
import { PlanStepsInput } from "../../../shared/aftercare/plan-schema";
import { toLocalIso } from "../../../shared/domain/calendar";
import { DomainError } from "../../../shared/domain/errors";
import type { FollowUp } from "../../../shared/domain/follow-ups";
import { publishPlan } from "../../../shared/services/aftercare-plans";
import {
  bookingWithFollowUps,
  patientByEmail,
  sentEmail,
} from "../../../shared/services/staff-queries";
import type { AppDeps } from "../context";
import { operation, STAFF_SECURITY } from "../operations";
import { clinicTimezone } from "../requests";
import { newRouter } from "../router";
import { errors, Id, jsonBody, jsonResponse } from "../schemas";
import { onlyPlanAdmins } from "../staff-auth";

const security = STAFF_SECURITY;

const FollowUpOut = z
  .object({
    id: z.string(),
    step: z.string(),
    kind: z.enum(["confirmation", "reminder", "cancellation", "auto-complete", "aftercare"]),
    dueAt: z.string(),
    status: z.enum([
      "scheduled",
      "sending",
      "sent",
      "skipped",
      "cancelled",
      "failed",
      "superseded",
    ]),
    sentAt: z.string().optional(),
    messageId: z.string().optional(),
    error: z.string().optional(),
    subject: z.string().optional(),
    supersededBy: z
      .object({ bookingId: z.string(), date: z.string(), href: z.string() })
      .optional()
      .openapi({ description: "The newer session whose aftercare timeline replaced this step" }),
  })
  .openapi("FollowUp");

const followUpsRoute = operation({
  method: "get",
  operationId: "listFollowUps",
  path: "/api/staff/bookings/{id}/follow-ups",
  tags: ["Staff"],
  summary: "Every follow-up of a booking, in due order, with its status and SES message id",
  security,
  request: { params: z.object({ id: Id }) },
  responses: {
    200: jsonResponse(z.object({ followUps: z.array(FollowUpOut) }), "The follow-ups"),
    ...errors([404, "No such booking"]),
  },
});

const sentEmailRoute = operation({
  method: "get",
  operationId: "getSentEmail",
  path: "/api/staff/bookings/{id}/follow-ups/{step}/email",
  tags: ["Staff"],
  summary: "The email that was sent for a follow-up, as rendered",
  security,
  request: { params: z.object({ id: Id, step: Id }) },
  responses: {
    200: jsonResponse(
      z.object({ subject: z.string(), text: z.string(), html: z.string(), messageId: z.string() }),
      "The sent email",
    ),
    ...errors([404, "No such follow-up, or nothing sent"]),
  },
});

const patientRoute = operation({
  method: "get",
  operationId: "getPatient",
  path: "/api/staff/patients",
  tags: ["Staff"],
  summary: "A patient by email: sessions, consent, and whether the address is suppressed",
  security,
  request: { query: z.strictObject({ email: z.string().trim().max(254).pipe(z.email()) }) },
  responses: {
    200: jsonResponse(
      z.object({
        patient: z.object({
          id: z.string(),
          name: z.string(),
          email: z.string(),
          phone: z.string().optional(),
          sessions: z.array(
            z.object({
              bookingId: z.string(),
              date: z.string(),
              family: z.string(),
              status: z.string(),
            }),
          ),
          aftercareOptOut: z.boolean(),
          suppressed: z.object({ reason: z.string(), at: z.string() }).nullable(),
        }),
      }),
      "The patient",
    ),
    ...errors([404, "No such patient"]),
  },
});

const PlanOut = z
  .object({
    version: z.number(),
    createdAt: z.string(),
    createdBy: z.string(),
    steps: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi("AftercarePlan");

const getPlanRoute = operation({
  method: "get",
  operationId: "getAftercarePlan",
  path: "/api/staff/aftercare-plan",
  tags: ["Staff"],
  summary: "The current aftercare plan",
  security,
  responses: {
    200: jsonResponse(PlanOut, "The plan"),
    ...errors([404, "No plan yet"]),
  },
});

const putPlanRoute = operation({
  method: "put",
  operationId: "putAftercarePlan",
  path: "/api/staff/aftercare-plan",
  tags: ["Staff"],
  summary: "Save a new plan version (applies to sessions completed from now on); admins only",
  security,
  // Refused before the body is read: a receptionist learns nothing from validation.
  middleware: [onlyPlanAdmins] as const,
  request: { body: jsonBody(PlanStepsInput) },
  responses: {
    200: jsonResponse(z.object({ version: z.number() }), "Saved as a new version"),
    ...errors([403, "FORBIDDEN: only an admin changes the plan"], [422, "The plan is invalid"]),
  },
});

function followUpView(f: FollowUp, timezone: string) {
  return {
    id: f.id,
    step: f.step,
    kind: f.kind,
    dueAt: toLocalIso(new Date(f.dueAt), timezone),
    status: f.status,
    ...(f.sentAt ? { sentAt: toLocalIso(new Date(f.sentAt), timezone) } : {}),
    ...(f.messageId ? { messageId: f.messageId } : {}),
    ...(f.error ? { error: f.error } : {}),
    ...(f.rendered ? { subject: f.rendered.subject } : {}),
    ...(f.supersededBy
      ? {
          supersededBy: {
            ...f.supersededBy,
            href: `/api/staff/bookings/${f.supersededBy.bookingId}/follow-ups`,
          },
        }
      : {}),
  };
}

/** Staff views of follow-ups, patients and the aftercare plan. */
export function aftercareRoutes(deps: AppDeps) {
  const { plans, locationId } = deps.bookings;
  const router = newRouter();
  const timezone = clinicTimezone(deps);

  router.openapi(followUpsRoute, async (c) => {
    const found = await bookingWithFollowUps(deps.bookings, c.req.valid("param").id);
    const tz = await timezone();
    const followUps = [...found.followUps].sort((a, b) =>
      a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.step < b.step ? -1 : 1,
    );
    return c.json({ followUps: followUps.map((f) => followUpView(f, tz)) }, 200);
  });

  router.openapi(sentEmailRoute, async (c) => {
    const { id, step } = c.req.valid("param");
    const { rendered, messageId } = await sentEmail(deps.bookings, id, step);
    return c.json({ ...rendered, messageId }, 200);
  });

  router.openapi(patientRoute, async (c) => {
    const record = await patientByEmail(deps.bookings, c.req.valid("query").email);
    return c.json(
      {
        patient: {
          id: record.id,
          name: record.name,
          email: record.email,
          ...(record.phone ? { phone: record.phone } : {}),
          sessions: record.sessions,
          aftercareOptOut: record.aftercareOptOut ?? false,
          suppressed: record.suppressed ?? null,
        },
      },
      200,
    );
  });

  router.openapi(getPlanRoute, async (c) => {
    const plan = await plans.currentPlan(locationId);
    if (!plan) throw new DomainError("NOT_FOUND", "No aftercare plan yet.");
    return c.json(plan as never, 200);
  });

  router.openapi(putPlanRoute, async (c) => {
    const { steps } = c.req.valid("json");
    const staff = c.get("staff");
    const plan = await publishPlan(deps.bookings, steps, staff.id);
    deps.logger.info("aftercare plan published", { version: plan.version, actor: staff.id });
    return c.json({ version: plan.version }, 200);
  });

  return router;
}
