import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError, type ErrorCode } from "../../shared/domain/errors";
import { HttpError, type HttpErrorCode } from "./http-errors";
import type { AppLogger } from "./logger";

/** The one map from error codes (the domain's and the HTTP layer's) to HTTP statuses. */
export const STATUS: Record<ErrorCode | HttpErrorCode, ContentfulStatusCode> = {
  VALIDATION: 422,
  BAD_JSON: 400,
  BAD_FORM: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  METHOD_NOT_ALLOWED: 405,
  NOT_FOUND: 404,
  SLOT_TAKEN: 409,
  SLOT_UNAVAILABLE: 409,
  SPACING_TOO_SOON: 409,
  TOO_MANY_FUTURE_BOOKINGS: 409,
  TOO_LATE_TO_CHANGE: 409,
  INVALID_STATE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  CONFLICT_RETRY: 503,
  SERVICE_BUSY: 503,
  RATE_LIMITED: 429,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
};

/** How long a caller should wait before trying a 503 (throttled or contended) again. */
export const RETRY_AFTER_SECONDS = 2;

export function errorResponse(
  c: Context,
  code: ErrorCode | HttpErrorCode,
  message: string,
  details: Record<string, unknown> = {},
) {
  if (STATUS[code] === 503) c.header("Retry-After", String(RETRY_AFTER_SECONDS));
  return c.json({ error: { ...details, code, message } }, STATUS[code]);
}

/** AWS throttling that reached here past the SDK's retries (the store maps its own). */
export function fromThrottling(e: Error): DomainError | null {
  const retryable = (e as { $retryable?: { throttling?: boolean } }).$retryable;
  const throttled =
    retryable?.throttling === true ||
    /^(ThrottlingException|Throttling|TooManyRequestsException|ProvisionedThroughputExceededException|RequestLimitExceeded)$/.test(
      e.name,
    );
  return throttled
    ? new DomainError("SERVICE_BUSY", "We are busy right now; please try again in a moment.")
    : null;
}

function fromHttpException(e: HTTPException): HttpError | null {
  if (e.status === 400 && /json/i.test(e.message)) {
    return new HttpError("BAD_JSON", "The request body is not valid JSON.");
  }
  if (e.status === 415) {
    return new HttpError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.");
  }
  if (e.status === 413) return new HttpError("PAYLOAD_TOO_LARGE", "The request body is too large.");
  return null;
}

/** An error with a code the caller may see (the domain's or the HTTP layer's), or null. */
export function knownError(err: Error): DomainError | HttpError | null {
  if (err instanceof HTTPException) return fromHttpException(err);
  if (err instanceof DomainError || err instanceof HttpError) return err;
  return fromThrottling(err);
}

/**
 * Domain errors become their status with a stable code; anything else is a plain
 * 500 naming only the request id, and the details go to the log, not the caller.
 */
export function onError(logger: AppLogger) {
  return (err: Error, c: Context) => {
    const known = knownError(err);
    if (known) {
      if (known.code === "SERVICE_BUSY" || known.code === "CONFLICT_RETRY") {
        // Answered 503, but someone on call should see that the database pushed back.
        logger.warn("busy: answered 503", {
          requestId: c.get("requestId") as string | undefined,
          code: known.code,
          errorName: err.name,
        });
      }
      return errorResponse(c, known.code, known.message, known.details);
    }
    const requestId = c.get("requestId") as string | undefined;
    logger.error("unhandled error", { requestId, ...errorForLog(err) });
    return c.json(
      { error: { code: "INTERNAL", message: "Something went wrong on our side.", requestId } },
      500,
    );
  };
}

/**
 * What the log keeps of an unexpected error: its name and where it was thrown. Not its
 * message, which a library may have filled with the values it was given.
 */
export function errorForLog(err: unknown): { errorName: string; stack?: string } {
  if (!(err instanceof Error)) return { errorName: typeof err };
  const frames = err.stack?.split("\n").filter((line) => /^\s+at /.test(line));
  return { errorName: err.name, ...(frames?.length ? { stack: frames.join("\n") } : {}) };
}
