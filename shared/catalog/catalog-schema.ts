import { z } from "zod";
import { isLocalDate, isTimeZone } from "../domain/calendar";
import { type Catalog, DEFAULT_POLICY } from "../domain/catalog";

/**
 * The one schema of a clinic's catalog (clinic and policy, treatments,
 * practitioners, closures) with its defaults. Every way a catalog comes in goes
 * through it: the local seed, `seed:aws` with a clinic's JSON file, and every
 * read from the table, so a field added later gets its default on old items.
 */

/** Bumped when the stored shape changes in a way old readers cannot take. */
export const CATALOG_SCHEMA_VERSION = 1;

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "Use lower-case letters, digits and dashes" });
const label = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: "Required" })
    .max(max)
    .refine((s) => !/[\p{Cc}\u2028\u2029]/u.test(s), { error: "No control characters" });
const whole = (min: number, max: number) => z.int().min(min).max(max);

const clock = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, { error: "Use HH:mm" });
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
const timeRange = z
  .object({ start: clock, end: clock })
  .strict()
  .refine((r) => r.start < r.end, { error: "A range ends after it starts" });
const day = z
  .array(timeRange)
  .max(8)
  .refine(
    (ranges) => {
      const sorted = [...ranges].sort((a, b) => a.start.localeCompare(b.start));
      return sorted.every((r, i) => i === 0 || (sorted[i - 1]?.end ?? "") <= r.start);
    },
    { error: "Ranges of one day must not overlap" },
  )
  .optional();
const weeklyHours = z
  .object({ "1": day, "2": day, "3": day, "4": day, "5": day, "6": day, "7": day })
  .strict();

const policy = z
  .object({
    timezone: z
      .string()
      .refine(isTimeZone, { error: "An IANA timezone, e.g. America/Los_Angeles" }),
    minNoticeMinutes: whole(0, 30 * 24 * 60).default(DEFAULT_POLICY.minNoticeMinutes),
    horizonDays: whole(1, 730).default(DEFAULT_POLICY.horizonDays),
    slotStepMinutes: whole(5, 120)
      .refine((m) => 1440 % m === 0, { error: "Divides a day (5, 10, 15, 20, 30, 60…)" })
      .default(DEFAULT_POLICY.slotStepMinutes),
    changeCutoffHours: whole(0, 24 * 14).default(DEFAULT_POLICY.changeCutoffHours),
    reminderHoursBefore: whole(1, 24 * 14).default(DEFAULT_POLICY.reminderHoursBefore),
    autoCompleteGraceMinutes: whole(0, 7 * 24 * 60)
      .nullable()
      .default(DEFAULT_POLICY.autoCompleteGraceMinutes),
    maxFutureBookingsPerPatient: whole(1, 100)
      .nullable()
      .default(DEFAULT_POLICY.maxFutureBookingsPerPatient),
    // At least two hours, so that steps an hour apart still fit a day.
    sendingHours: z
      .object({ start: clock, end: clock })
      .strict()
      .refine((r) => minutesOf(r.end) - minutesOf(r.start) >= 120, {
        error: "Sending hours span at least two hours, e.g. 08:00 to 20:00",
      })
      .default(DEFAULT_POLICY.sendingHours),
  })
  .strict();

const treatment = z
  .object({
    id,
    name: label(120),
    family: id,
    durationMinutes: whole(5, 12 * 60),
    bufferMinutes: whole(0, 4 * 60).default(0),
    minIntervalDays: whole(1, 730).nullable(),
    recommendedMaxDays: whole(1, 730).nullable().optional(),
    aftercare: z.boolean(),
  })
  .strict()
  .refine((t) => t.recommendedMaxDays == null || t.minIntervalDays !== null, {
    error: "A recommended maximum needs a minimum interval",
    path: ["recommendedMaxDays"],
  })
  .refine((t) => t.recommendedMaxDays == null || t.recommendedMaxDays >= (t.minIntervalDays ?? 0), {
    error: "The recommended maximum is at least the minimum interval",
    path: ["recommendedMaxDays"],
  });

const practitioner = z
  .object({
    id,
    name: label(120),
    weeklyHours,
    treatmentIds: z.array(id).max(200),
  })
  .strict();

const closure = z
  .object({
    date: z.string().refine(isLocalDate, { error: "A date, YYYY-MM-DD" }),
    practitionerId: id.optional(),
    reason: label(200).optional(),
  })
  .strict();

/** The clinic's contact, as every email, page and calendar entry shows it. */
const contact = z
  .object({
    address: label(200),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9][0-9 ().-]{5,24}$/, { error: "A phone number, e.g. +1 323 555 0100" }),
    email: z.email({ error: "An email address" }).max(254),
    mapUrl: z
      .url({ protocol: /^https$/, error: "An https URL" })
      .max(500)
      .optional(),
  })
  .strict();

/** Ids that appear more than once, for a clear error. */
function repeated(values: string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(values.filter((v) => seen.has(v) || !seen.add(v)))];
}

export const catalogSchema = z
  .object({
    clinic: z
      .object({ locationId: id, name: label(120), contact: contact.optional(), policy })
      .strict(),
    treatments: z.array(treatment).max(200),
    practitioners: z.array(practitioner).max(200),
    closures: z.array(closure).max(2000).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    for (const dup of repeated(c.treatments.map((t) => t.id))) {
      issue(["treatments"], `Treatment id "${dup}" is used twice`);
    }
    for (const dup of repeated(c.practitioners.map((p) => p.id))) {
      issue(["practitioners"], `Practitioner id "${dup}" is used twice`);
    }
    const treatments = new Set(c.treatments.map((t) => t.id));
    c.practitioners.forEach((p, i) => {
      for (const t of p.treatmentIds) {
        if (!treatments.has(t)) issue(["practitioners", i, "treatmentIds"], `No treatment "${t}"`);
      }
    });
    const practitioners = new Set(c.practitioners.map((p) => p.id));
    c.closures.forEach((x, i) => {
      if (x.practitionerId && !practitioners.has(x.practitionerId)) {
        issue(["closures", i, "practitionerId"], `No practitioner "${x.practitionerId}"`);
      }
    });
    for (const dup of repeated(
      c.closures.map((x) => `${x.date} ${x.practitionerId ?? "clinic"}`),
    )) {
      issue(["closures"], `Closure ${dup} is listed twice`);
    }
  });

/** What a clinic's JSON file may leave out (the defaults fill it in). */
export type CatalogInput = z.input<typeof catalogSchema>;

/** A catalog from any source, defaults applied; throws CatalogError naming every problem. */
export function parseCatalog(input: unknown): Catalog {
  const result = catalogSchema.safeParse(input);
  if (!result.success) throw new CatalogError(result.error.issues);
  return result.data;
}

export class CatalogError extends Error {
  override readonly name = "CatalogError";
  readonly problems: string[];
  constructor(issues: readonly z.core.$ZodIssue[]) {
    const problems = issues.map((i) => `${i.path.join(".") || "catalog"}: ${i.message}`);
    super(`The catalog is not valid:\n- ${problems.join("\n- ")}`);
    this.problems = problems;
  }
}

// The schema and the domain's types describe the same thing: a compile error here
// means one of them changed without the other.
type Parsed = z.output<typeof catalogSchema>;
const _sameShape: [Parsed extends Catalog ? true : never, Catalog extends Parsed ? true : never] = [
  true,
  true,
];
void _sameShape;
