import { z } from "zod";
import type { PlanStep } from "../domain/aftercare-plan";
import defaultPlan from "./default-plan.json" with { type: "json" };

/**
 * Validation of an aftercare plan as staff would PUT it (`{ steps }`; the
 * version and dates are added by the store). A plan is emailed to patients, so
 * it is held to what an email can safely carry: no control characters, only
 * the known placeholders, bounded sizes, and subjects that never name the
 * procedure (inboxes are not private).
 */

/** The placeholders a plan's text may use, substituted when an email is rendered. */
export const PLAN_PLACEHOLDERS = [
  "patientName",
  "clinicName",
  "sessionDate",
  "earliestAllowedDate",
  "bookingUrl",
] as const;
export type PlanPlaceholder = (typeof PLAN_PLACEHOLDERS)[number];

/** Placeholders that only some kinds of step can fill. */
const PLACEHOLDER_KINDS: Partial<Record<PlanPlaceholder, readonly PlanStep["kind"][]>> = {
  earliestAllowedDate: ["rebook", "no-show"],
  bookingUrl: ["rebook", "last-reminder", "no-show"],
};

export const PLAN_LIMITS = {
  steps: 30,
  sectionsPerStep: 40,
  paragraphsPerSection: 30,
  bulletsPerSection: 40,
  tableColumns: 6,
  tableRows: 30,
  subject: 120,
  heading: 200,
  paragraph: 2000,
  bullet: 1000,
  cell: 500,
  maxOffsetDays: 120,
  /** The whole plan, JSON-encoded, in bytes. */
  bytes: 64 * 1024,
} as const;

/** The procedure's name, never to appear in a subject. */
export const PROCEDURE_NAME = /micro[\s-]*needling/i;
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** The placeholder names used in a text, in order (unknown ones included). */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? "");
}

function textField(max: number) {
  return z
    .string()
    .refine((s) => !CONTROL.test(s), {
      error: "Line breaks and control characters are not allowed",
    })
    .trim()
    .min(1, { error: "Must not be empty" })
    .max(max, { error: `At most ${max} characters` })
    .superRefine((s, ctx) => {
      const unknown = placeholdersIn(s).filter(
        (name) => !(PLAN_PLACEHOLDERS as readonly string[]).includes(name),
      );
      for (const name of unknown) {
        ctx.addIssue({ code: "custom", message: `Unknown placeholder {{${name}}}` });
      }
      const rest = s.replace(PLACEHOLDER, "");
      if (unknown.length === 0 && (rest.includes("{{") || rest.includes("}}"))) {
        ctx.addIssue({ code: "custom", message: "Unbalanced {{ }} in the text" });
      }
    });
}

const PlanTable = z
  .strictObject({
    columns: z.array(textField(PLAN_LIMITS.cell)).min(1).max(PLAN_LIMITS.tableColumns),
    rows: z
      .array(z.array(textField(PLAN_LIMITS.cell)))
      .min(1)
      .max(PLAN_LIMITS.tableRows),
  })
  .superRefine((table, ctx) => {
    table.rows.forEach((row, i) => {
      if (row.length !== table.columns.length) {
        ctx.addIssue({
          code: "custom",
          path: ["rows", i],
          message: `Row has ${row.length} cells; the table has ${table.columns.length} columns`,
        });
      }
    });
  });

export const PlanSectionInput = z
  .strictObject({
    heading: textField(PLAN_LIMITS.heading),
    paragraphs: z
      .array(textField(PLAN_LIMITS.paragraph))
      .max(PLAN_LIMITS.paragraphsPerSection)
      .optional(),
    bullets: z.array(textField(PLAN_LIMITS.bullet)).max(PLAN_LIMITS.bulletsPerSection).optional(),
    table: PlanTable.optional(),
  })
  .refine((s) => (s.paragraphs?.length ?? 0) + (s.bullets?.length ?? 0) > 0 || s.table, {
    error: "A section needs paragraphs, bullets or a table",
  });

export const PlanStepInput = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9-]{1,24}$/, { error: "1 to 24 of a-z, 0-9 and -" })
      // The booking's own follow-ups use these names beside the plan's steps.
      .refine((id) => !/^(confirmation|reminder|auto-complete)(-|$)/.test(id), {
        error: "Ids starting with confirmation, reminder or auto-complete are reserved",
      }),
    kind: z.enum(["aftercare", "rebook", "last-reminder", "no-show"]),
    offsetDays: z.int().min(0).max(PLAN_LIMITS.maxOffsetDays),
    sendAt: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "A local time HH:mm, 00:00 to 23:59" })
      .nullable(),
    offsetHours: z
      .int()
      .min(0)
      .max(PLAN_LIMITS.maxOffsetDays * 24)
      .optional(),
    subject: textField(PLAN_LIMITS.subject).refine((s) => !PROCEDURE_NAME.test(s), {
      error: "A subject must not name the procedure",
    }),
    sections: z.array(PlanSectionInput).min(1).max(PLAN_LIMITS.sectionsPerStep),
  })
  .superRefine((step, ctx) => {
    if (step.offsetHours !== undefined && (step.sendAt !== null || step.offsetDays !== 0)) {
      ctx.addIssue({
        code: "custom",
        path: ["offsetHours"],
        message:
          "A step timed in hours after the session has no day or time of its own (offsetDays 0, sendAt null)",
      });
    } else if (step.sendAt === null && step.offsetDays !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["sendAt"],
        message:
          "Only a step on the session day (offsetDays 0) can be sent when the session is marked",
      });
    }
    const texts = [
      step.subject,
      ...step.sections.flatMap((s) => [
        s.heading,
        ...(s.paragraphs ?? []),
        ...(s.bullets ?? []),
        ...(s.table ? [...s.table.columns, ...s.table.rows.flat()] : []),
      ]),
    ];
    const used = new Set(texts.flatMap(placeholdersIn));
    for (const [name, kinds] of Object.entries(PLACEHOLDER_KINDS)) {
      if (used.has(name) && !kinds.includes(step.kind)) {
        ctx.addIssue({
          code: "custom",
          path: ["sections"],
          message: `{{${name}}} is only available in steps of kind ${kinds.join(" or ")}`,
        });
      }
    }
    if (step.kind !== "aftercare" && !used.has("bookingUrl")) {
      ctx.addIssue({
        code: "custom",
        path: ["sections"],
        message: `A ${step.kind} step must contain the {{bookingUrl}} link`,
      });
    }
  });

/** A new plan as staff PUT it: `{ steps }`, validated as a whole. */
export const PlanStepsInput = z
  .strictObject({
    steps: z.array(PlanStepInput).min(1).max(PLAN_LIMITS.steps),
  })
  .superRefine((plan, ctx) => {
    const seen = new Map<string, number>();
    plan.steps.forEach((step, i) => {
      const first = seen.get(step.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "id"],
          message: `Duplicate step id "${step.id}" (also step ${first})`,
        });
      } else {
        seen.set(step.id, i);
      }
    });
    for (const kind of ["rebook", "last-reminder", "no-show"] as const) {
      const count = plan.steps.filter((s) => s.kind === kind).length;
      if (count > 1) {
        ctx.addIssue({
          code: "custom",
          path: ["steps"],
          message: `At most one step of kind "${kind}" (found ${count})`,
        });
      }
    }
    const bytes = Buffer.byteLength(JSON.stringify(plan), "utf8");
    if (bytes > PLAN_LIMITS.bytes) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: `The plan is ${bytes} bytes; at most ${PLAN_LIMITS.bytes}`,
      });
    }
  }) satisfies z.ZodType<{ steps: PlanStep[] }>;

export type PlanStepsInput = z.infer<typeof PlanStepsInput>;

/**
 * The clinic's default plan shipped in the repo (the seeder stores it as
 * version 1), validated like a staff edit. Imported as JSON so that it is
 * bundled into a Lambda by esbuild; a fresh copy on each call.
 */
export function loadDefaultPlanSteps(): PlanStep[] {
  return PlanStepsInput.parse(defaultPlan).steps;
}
