import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import { errorResponse } from "./errors";
import { plainPage, wantsPage } from "./pages/plain-page";

/**
 * A per-client token bucket on the public writes (POST, PUT, PATCH, DELETE outside
 * the signed-in staff API): each client holds `perMinute` tokens, refilled evenly
 * over the minute; a write without a token is answered `429 RATE_LIMITED` with
 * `Retry-After`. In memory, so it limits one process: the local server. In AWS the
 * API Gateway stage throttles instead and the Lambda entry leaves this off.
 */
export interface RateLimitOptions {
  /** Writes each client may make per minute (the bucket's size and refill rate). */
  perMinute: number;
  /** Who the client is; by default the socket's remote address (no proxy headers trusted). */
  clientKey?: (c: Context) => string;
  /** Milliseconds now; tests move it by hand. */
  now?: () => number;
  /** Buckets kept at most; the least recently used is forgotten first. */
  maxClients?: number;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const MINUTE_MS = 60_000;

/**
 * Signed-in staff routes are not public: staff sign-in itself is (and is limited).
 * The front desk's console forms are staff work too: a busy desk behind one address
 * must not lock itself out.
 */
const isStaffWork = (path: string) =>
  (path.startsWith("/api/staff/") && path !== "/api/staff/session") ||
  (path.startsWith("/staff/") && path !== "/staff/sign-in");

export function remoteAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // No socket (e.g. `app.request` in-process): all such callers share one bucket.
    return "unknown";
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { perMinute } = options;
  if (!Number.isFinite(perMinute) || perMinute <= 0) {
    throw new Error("rateLimit: perMinute must be a positive number");
  }
  const now = options.now ?? Date.now;
  const keyOf = options.clientKey ?? remoteAddress;
  const maxClients = options.maxClients ?? 10_000;
  const refillPerMs = perMinute / MINUTE_MS;
  const buckets = new Map<string, Bucket>();

  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || isStaffWork(c.req.path)) return next();
    const key = keyOf(c);
    const t = now();
    const held = buckets.get(key);
    const tokens = held
      ? Math.min(perMinute, held.tokens + Math.max(0, t - held.at) * refillPerMs)
      : perMinute;
    // Re-inserting keeps the map in least-recently-used order.
    buckets.delete(key);
    if (tokens < 1) {
      buckets.set(key, { tokens, at: t });
      const retryAfter = Math.max(1, Math.ceil((1 - tokens) / refillPerMs / 1000));
      c.header("Retry-After", String(retryAfter));
      // A person's browser gets a page; API clients the contract's error.
      if (wantsPage(c.req.path, c.req.header("Accept"))) {
        const wait = `${retryAfter} second${retryAfter === 1 ? "" : "s"}`;
        return c.html(
          plainPage(
            "Too many tries",
            `Too many forms were sent from this address. Please wait ${wait}, then go back and send yours again.`,
          ),
          429,
        );
      }
      return errorResponse(
        c,
        "RATE_LIMITED",
        "Too many requests from this address. Please wait a moment and try again.",
        { retryAfterSeconds: retryAfter },
      );
    }
    buckets.set(key, { tokens: tokens - 1, at: t });
    if (buckets.size > maxClients) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    return next();
  };
}

/** `RATE_LIMIT_PER_MINUTE` for the local server: a positive number, or 0/"off" to disable. */
export function rateLimitFromEnv(
  value: string | undefined,
  fallback = 30,
): RateLimitOptions | undefined {
  if (value === undefined || value.trim() === "") return { perMinute: fallback };
  if (value.trim() === "0" || value.trim().toLowerCase() === "off") return undefined;
  const perMinute = Number(value);
  if (!Number.isFinite(perMinute) || perMinute <= 0) {
    throw new Error(`RATE_LIMIT_PER_MINUTE must be a positive number, 0 or "off"; got "${value}"`);
  }
  return { perMinute };
}
