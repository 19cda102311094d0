/**
 * Domain errors carry a stable, upper-case `code` that clients rely on.
 * The HTTP layer maps codes to statuses in one place (functions/api/errors.ts);
 * refusals about the request itself (bad JSON, too large, rate limited) are its own.
 */
export type ErrorCode =
  | "VALIDATION"
  | "NOT_FOUND"
  | "SLOT_TAKEN"
  | "SLOT_UNAVAILABLE"
  | "SPACING_TOO_SOON"
  | "TOO_MANY_FUTURE_BOOKINGS"
  | "TOO_LATE_TO_CHANGE"
  | "INVALID_STATE"
  | "CONFLICT_RETRY"
  /** The database or another service is throttling us even after retries: try again shortly. */
  | "SERVICE_BUSY"
  | "UNAUTHENTICATED"
  | "FORBIDDEN";

export class DomainError extends Error {
  override readonly name: string = "DomainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields that are safe to show the caller of this error. */
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const notFound = (what = "Not found") => new DomainError("NOT_FOUND", what);
