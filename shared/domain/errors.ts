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

/** An error with a stable code its caller may see, and details safe to show with it. */
export class CodedError<C extends string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    /** Extra fields that are safe to show the caller of this error. */
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class DomainError extends CodedError<ErrorCode> {
  override readonly name: string = "DomainError";
}

export const notFound = (what = "Not found") => new DomainError("NOT_FOUND", what);
