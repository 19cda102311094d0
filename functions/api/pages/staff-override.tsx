import type { Context } from "hono";
import { isLocalDate } from "../../../shared/domain/calendar";
import { DomainError, type ErrorCode } from "../../../shared/domain/errors";
import type { AppEnv } from "../context";
import type { Errors, Values } from "./booking-form";
import { longDate } from "./format";
import type { Refused, Rerender } from "./submit";

/** The console's spacing and upcoming-sessions refusals, and the box that overrides them. */

/** A refusal the receptionist may override with a written reason. */
export interface Refusal {
  code: "SPACING_TOO_SOON" | "TOO_MANY_FUTURE_BOOKINGS";
  message: string;
  previousSession?: { id: string; date: string };
  earliestAllowedDate?: string;
}

export function refusalOf(error: unknown): Refusal | null {
  if (!(error instanceof DomainError)) return null;
  if (error.code !== "SPACING_TOO_SOON" && error.code !== "TOO_MANY_FUTURE_BOOKINGS") return null;
  const d = error.details as Omit<Refusal, "code" | "message">;
  return {
    code: error.code,
    message: error.message,
    ...(d.previousSession ? { previousSession: d.previousSession } : {}),
    ...(d.earliestAllowedDate ? { earliestAllowedDate: d.earliestAllowedDate } : {}),
  };
}

/** The refusal a re-rendered override box showed, from its hidden fields (display only). */
function refusalFromForm(form: Values): Refusal {
  const id = /^[A-Za-z0-9_-]{1,64}$/;
  const prev =
    form.refusalPrevId && id.test(form.refusalPrevId) && isLocalDate(form.refusalPrevDate ?? "")
      ? { previousSession: { id: form.refusalPrevId, date: form.refusalPrevDate ?? "" } }
      : {};
  const earliest = isLocalDate(form.refusalEarliest ?? "")
    ? { earliestAllowedDate: form.refusalEarliest ?? "" }
    : {};
  return form.refusalCode === "TOO_MANY_FUTURE_BOOKINGS"
    ? {
        code: "TOO_MANY_FUTURE_BOOKINGS",
        message: "The patient already holds the maximum number of upcoming sessions.",
      }
    : { code: "SPACING_TOO_SOON", message: "", ...prev, ...earliest };
}

export function OverrideBox({
  refusal,
  values,
  errors,
}: {
  refusal: Refusal;
  values: Values;
  errors: Errors;
}) {
  return (
    <section class="notice warn" aria-labelledby="override-title">
      <h2 id="override-title">
        {refusal.code === "SPACING_TOO_SOON"
          ? "The spacing rule refuses this booking"
          : "This patient already holds the most upcoming sessions allowed"}
      </h2>
      {refusal.code === "SPACING_TOO_SOON" ? (
        <dl class="facts">
          {refusal.previousSession ? (
            <>
              <dt>Previous session</dt>
              <dd>
                <a href={`/staff/bookings/${refusal.previousSession.id}`}>
                  {longDate(refusal.previousSession.date)}
                </a>
              </dd>
            </>
          ) : null}
          {refusal.earliestAllowedDate ? (
            <>
              <dt>Earliest allowed date</dt>
              <dd id="earliest-allowed">{longDate(refusal.earliestAllowedDate)}</dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p>{refusal.message}</p>
      )}
      <input type="hidden" name="refusalCode" value={refusal.code} />
      {refusal.previousSession ? (
        <>
          <input type="hidden" name="refusalPrevId" value={refusal.previousSession.id} />
          <input type="hidden" name="refusalPrevDate" value={refusal.previousSession.date} />
        </>
      ) : null}
      {refusal.earliestAllowedDate ? (
        <input type="hidden" name="refusalEarliest" value={refusal.earliestAllowedDate} />
      ) : null}
      <label for="overrideReason">Override: the reason (recorded in the audit log)</label>
      <textarea
        id="overrideReason"
        name="overrideReason"
        required
        minlength={10}
        maxlength={1000}
        aria-describedby={
          errors["override.reason"] ? "override-hint override-error" : "override-hint"
        }
      >
        {values.overrideReason ?? ""}
      </textarea>
      <p class="hint" id="override-hint">
        At least 10 characters, e.g. who approved it and why.
      </p>
      {errors["override.reason"] ? (
        <p class="error" id="override-error">
          {errors["override.reason"]}
        </p>
      ) : null}
      <button type="submit">Book with override</button>
    </section>
  );
}

/** The override the form carries, when its box was shown and filled in. */
export const withOverride = (form: Values) =>
  form.overrideReason !== undefined ? { override: { reason: form.overrideReason } } : {};

/**
 * A staff form shown again: what was typed, its errors and notice, and the refusal
 * the override box shows (the use case's own, or the one the form showed before
 * when its override reason is what was wrong).
 */
export function staffRerender(state: Rerender) {
  const refusal =
    (state.error ? refusalOf(state.error) : null) ??
    (state.errors["override.reason"] ? refusalFromForm(state.values) : null);
  const { values, errors, notice, status } = state;
  return { values, errors, ...(notice ? { notice } : {}), refusal, status };
}

/**
 * A staff form keeps the chosen time when the override box opens; the refusals in
 * `codes` ask for another time with `notice`.
 */
export function staffRefused(
  error: DomainError,
  codes: ErrorCode[],
  notice = error.message,
): Refused {
  if (refusalOf(error)) return { keepTime: true };
  return codes.includes(error.code) ? { notice } : null;
}

/** The staff member sending the form: the actor of its change. */
export const staffActor = (c: Context<AppEnv>) => ({
  kind: "staff" as const,
  id: c.get("staff").id,
});
