import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { ErrorOut } from "./schemas";

/**
 * The routes of the JSON API, declared for /openapi.json with every status they can
 * answer. A route states its own answers (success, and the refusals of its use
 * case); what the app's middleware answers for any route of its kind is added here
 * from what the route declares, so a new route cannot forget it:
 *
 * - a JSON body: 400 `BAD_JSON`, 415 `UNSUPPORTED_MEDIA_TYPE`, 422 `VALIDATION`;
 * - parameters (path, query, headers): 422 `VALIDATION`;
 * - any method but GET: 413 `PAYLOAD_TOO_LARGE` (the body limit reads every body);
 * - a public write: 429 `RATE_LIMITED`;
 * - the staff token: 401 `UNAUTHENTICATED`, 403 `FORBIDDEN`;
 * - every route: 500 `INTERNAL`, and 503 `SERVICE_BUSY` / `CONFLICT_RETRY` where it
 *   reaches a service.
 */
export interface OperationOptions {
  /** False for a route that calls no service (DynamoDB, Cognito): no 503. */
  reachesServices?: boolean;
}

/** Staff routes take the pool's token as a Bearer header or as the console's cookie. */
export const STAFF_SECURITY: Record<string, string[]>[] = [
  { staffBearer: [] },
  { staffCookie: [] },
];
/** An operation open to anyone: no security scheme applies. */
export const PUBLIC: Record<string, string[]>[] = [];

const retryAfter = {
  "Retry-After": {
    description: "Seconds to wait before trying again",
    schema: { type: "integer" as const, minimum: 1 },
  },
};

const error = (description: string, headers?: typeof retryAfter) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/json": { schema: ErrorOut } },
});

const COMMON = {
  400: error("BAD_JSON: the body is not valid JSON"),
  401: error("UNAUTHENTICATED: no valid staff token (Bearer header or session cookie)"),
  403: error("FORBIDDEN: the account is not in the receptionist or admin group"),
  413: error(
    "PAYLOAD_TOO_LARGE: the body is over the limit (32 KiB; 64 KiB for a whole aftercare plan)",
  ),
  415: error("UNSUPPORTED_MEDIA_TYPE: send the body as application/json"),
  422: error("VALIDATION: a parameter or field is missing or invalid; `issues` names each"),
  429: error(
    "RATE_LIMITED: too many writes from this client (the local server; in AWS the API stage throttles), with Retry-After",
    retryAfter,
  ),
  500: error("INTERNAL: an unexpected error; the body names only its request id"),
  503: error(
    "SERVICE_BUSY or CONFLICT_RETRY: the database is busy, nothing was written; try again after Retry-After",
    retryAfter,
  ),
} as const;

type Status = keyof typeof COMMON;

/** The statuses the app's middleware adds to a route of this shape. */
export function commonStatuses(config: RouteConfig, options: OperationOptions = {}): Status[] {
  const { request, method, security } = config;
  const staff = security?.some((s) => "staffBearer" in s) ?? false;
  const statuses: Status[] = [];
  if (request?.body?.content["application/json"]) statuses.push(400, 415, 422);
  if (request?.params || request?.query || request?.headers) statuses.push(422);
  if (method !== "get") statuses.push(413);
  if (method !== "get" && !staff) statuses.push(429);
  if (staff) statuses.push(401, 403);
  statuses.push(500);
  if (options.reachesServices !== false) statuses.push(503);
  return statuses;
}

/**
 * `createRoute` with the common statuses added after the route's own (a status the
 * route declares keeps its description). Public routes say so with `security: []`.
 */
export function operation<
  P extends string,
  R extends Omit<RouteConfig, "path"> & { path: P; operationId: string; security: unknown[] },
>(config: R, options: OperationOptions = {}) {
  const responses: RouteConfig["responses"] = { ...config.responses };
  for (const status of commonStatuses(config as unknown as RouteConfig, options)) {
    responses[status] ??= COMMON[status];
  }
  const sorted = Object.fromEntries(
    Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)),
  );
  return createRoute({ ...config, responses: sorted } as R);
}
