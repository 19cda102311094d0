import { CodedError } from "../../shared/domain/errors";

/**
 * Refusals only the HTTP layer makes (about the request itself, before any use case
 * runs). They share the wire format of domain errors: `{error: {code, message}}`.
 */
export type HttpErrorCode =
  | "BAD_JSON"
  /** A page form whose body cannot be parsed. */
  | "BAD_FORM"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "RATE_LIMITED"
  /** A known path asked with a method it does not take (the answer says which it does). */
  | "METHOD_NOT_ALLOWED"
  /** An `Idempotency-Key` (or a page's form id) sent again with another request. */
  | "IDEMPOTENCY_KEY_REUSED";

export class HttpError extends CodedError<HttpErrorCode> {
  override readonly name: string = "HttpError";
}
