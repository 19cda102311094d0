import type { Context } from "hono";
import type { Booking } from "../../../shared/domain/booking";
import { DomainError } from "../../../shared/domain/errors";
import type { IdempotencyIntent } from "../../../shared/services/bookings";
import type { AppDeps, AppEnv } from "../context";
import { type Form, fieldErrors, oncePerForm, readForm, zodErrors } from "./forms";

/** A form shown again: what was typed, the field errors, a notice and the status. */
export interface Rerender {
  values: Form;
  errors: Record<string, string>;
  notice?: string;
  status: 409 | 422;
  /** The use case's refusal, when one caused this. */
  error?: DomainError;
}

/**
 * How a page explains a refusal: a notice on the form (the chosen time is cleared,
 * unless `keepTime`), a page of its own, or null when it is not the form's to explain
 * (it goes to the error page).
 */
export type Refused = { notice?: string; keepTime?: boolean } | Response | null;

type Parsed<T> =
  | { success: true; data: T }
  | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };

export interface Submit<T> {
  /** Scopes the form id: one rendered form is one change, however often it is sent. */
  scope: string;
  /** The form's fields as the use case's input, checked (usually a zod `safeParse`). */
  parse(form: Form): Parsed<T>;
  /** The notice above a form whose fields do not pass `parse`. */
  invalid: string;
  run(input: T, intent: IdempotencyIntent | undefined): Promise<Booking>;
  /** Where a done change redirects (303), also for a repeat of the same form. */
  location(booking: Booking): string;
  log: { message: string; fields: Record<string, unknown> };
  refused(error: DomainError): Refused | Promise<Refused>;
  again(state: Rerender): Response | Promise<Response>;
}

/**
 * A booking form's POST: read the form (CSRF checked), check its fields, run the
 * use case once per rendered form, then redirect. Invalid fields, in the form or
 * found by the use case, show the form again (422) with what was typed; refusals
 * the page explains show it again with a notice (409).
 */
export async function submitForm<T>(
  c: Context<AppEnv>,
  deps: AppDeps,
  spec: Submit<T>,
): Promise<Response> {
  const form = await readForm(c, deps);
  const parsed = spec.parse(form);
  if (!parsed.success) {
    const errors = zodErrors(parsed.error.issues);
    return spec.again({ values: form, errors, notice: spec.invalid, status: 422 });
  }
  try {
    const location = await oncePerForm(
      deps,
      spec.scope,
      form,
      parsed.data,
      (intent) => spec.run(parsed.data, intent),
      spec.location,
    );
    deps.logger.info(spec.log.message, spec.log.fields);
    return c.redirect(location, 303);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.code === "VALIDATION") {
      const errors = fieldErrors(error);
      return spec.again({ values: form, errors, notice: error.message, status: 422, error });
    }
    const refused = await spec.refused(error);
    if (refused === null) throw error;
    if (refused instanceof Response) return refused;
    const { start: _start, ...withoutTime } = form;
    return spec.again({
      values: refused.keepTime ? form : withoutTime,
      errors: {},
      ...(refused.notice ? { notice: refused.notice } : {}),
      status: 409,
      error,
    });
  }
}
