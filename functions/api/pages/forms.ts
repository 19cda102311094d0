import { createHash, randomBytes } from "node:crypto";
import type { Context } from "hono";
import type { Booking } from "../../../shared/domain/booking";
import { DomainError } from "../../../shared/domain/errors";
import type { IdempotencyIntent } from "../../../shared/services/bookings";
import type { AppDeps } from "../context";
import { HttpError } from "../http-errors";
import { runOnce } from "../idempotency";
import { CSRF_FIELD, csrfValid } from "./csrf";

export type Form = Record<string, string>;

/**
 * A submitted page form as plain strings, after its CSRF token is checked. Only
 * urlencoded and multipart bodies are forms; anything else is a 415.
 */
export async function readForm(c: Context, deps: AppDeps): Promise<Form> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) {
    throw new HttpError("UNSUPPORTED_MEDIA_TYPE", "Please send the form from its page.");
  }
  let raw: Awaited<ReturnType<typeof c.req.parseBody>>;
  try {
    raw = await c.req.parseBody({ all: true });
  } catch {
    // A multipart body that does not match its boundary, say: nothing to act on.
    throw new HttpError(
      "BAD_FORM",
      "The form could not be read. Please send it again from its page.",
    );
  }
  const form: Form = {};
  for (const [name, value] of Object.entries(raw)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") form[name] = first;
  }
  if (!csrfValid(c, deps, form[CSRF_FIELD])) {
    throw new DomainError(
      "FORBIDDEN",
      "This form has expired or was not sent from our page. Please go back, reload the page and try again.",
    );
  }
  return form;
}

/** Field-level messages from a VALIDATION error, keyed by the path (`patient.email`). */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof DomainError) || error.code !== "VALIDATION") return {};
  const issues = (error.details.issues ?? []) as { path: string; message: string }[];
  const out: Record<string, string> = {};
  for (const issue of issues) out[issue.path] ??= issue.message;
  return out;
}

/** Zod issues → the same `{path: message}` shape. */
export function zodErrors(issues: { path: PropertyKey[]; message: string }[]) {
  const out: Record<string, string> = {};
  for (const i of issues) out[i.path.map(String).join(".") || "(form)"] ??= i.message;
  return out;
}

const FORM_ID = /^[A-Za-z0-9_-]{22}$/;

/** A fresh id for a rendered form: its submissions are one change, however often sent. */
export const newFormId = () => randomBytes(16).toString("base64url");

/**
 * Runs a form's change once per rendered form (double clicks, a resubmitted POST):
 * the answer stored with the change is a redirect, replayed to a repeat.
 */
export async function oncePerForm(
  deps: AppDeps,
  scope: string,
  form: Form,
  fields: unknown,
  change: (intent: IdempotencyIntent | undefined) => Promise<Booking>,
  location: (b: Booking) => string,
): Promise<string> {
  const respond = (b: Booking) => ({ status: 303, body: { location: location(b) } });
  const formId = form.formId;
  if (!formId || !FORM_ID.test(formId)) return location(await change(undefined));
  const requestHash = createHash("sha256").update(JSON.stringify(fields)).digest("base64url");
  try {
    return await runOnce(
      deps,
      { key: `page:${scope}:${formId}`, requestHash },
      async (intent) => location(await change({ ...intent, respond })),
      (stored) => (stored.body as { location: string }).location,
    );
  } catch (error) {
    if (error instanceof HttpError && error.code === "IDEMPOTENCY_KEY_REUSED") {
      throw new DomainError(
        "INVALID_STATE",
        "This form was already sent. Please start again from the first page.",
      );
    }
    throw error;
  }
}

/** The path and query of one of our absolute links, for a redirect. */
export function pathOf(url: string, extra?: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(extra ?? {})) u.searchParams.set(k, v);
  return `${u.pathname}${u.search}`;
}
