import { createHash } from "node:crypto";
import type { Context } from "hono";
import { DomainError } from "../../shared/domain/errors";
import type { StoredResponse } from "../../shared/ports";
import type { IdempotencyIntent } from "../../shared/services/bookings";
import type { AppDeps } from "./context";
import { HttpError } from "./http-errors";

export const KEY_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * `Idempotency-Key` on a POST: the first answer is stored in the same transaction
 * as the change it reports, so a retry with the same key and body gets that answer
 * again (and changes nothing); the same key with another body is a 422.
 */
export async function idempotent(
  c: Context,
  deps: AppDeps,
  scope: string,
  body: unknown,
  run: (intent: Omit<IdempotencyIntent, "respond"> | undefined) => Promise<StoredResponse>,
): Promise<Response> {
  const header = c.req.header("Idempotency-Key");
  if (header === undefined) return send(c, await run(undefined));
  if (!KEY_RE.test(header)) {
    throw new DomainError("VALIDATION", "Invalid Idempotency-Key header.", {
      issues: [{ path: "Idempotency-Key", message: "1 to 128 letters, digits, or _ . : -" }],
    });
  }
  const key = `${scope}:${header}`;
  const requestHash = createHash("sha256")
    .update(JSON.stringify([c.req.method, c.req.path, body]))
    .digest("base64url");
  return runOnce(
    deps,
    { key, requestHash },
    async (intent) => send(c, await run(intent)),
    (stored) => {
      c.header("Idempotent-Replayed", "true");
      return send(c, stored);
    },
  );
}

/**
 * Runs a change once per key: when an answer is stored for the key (by this change's
 * own transaction), that answer is replayed instead; the same key with another
 * request is a 422.
 */
export async function runOnce<T>(
  deps: AppDeps,
  intent: Omit<IdempotencyIntent, "respond">,
  run: (intent: Omit<IdempotencyIntent, "respond">) => Promise<T>,
  replayed: (stored: StoredResponse) => T,
): Promise<T> {
  const { reads, locationId } = deps.bookings;
  const replay = async (): Promise<T | null> => {
    const stored = await reads.idempotency(locationId, intent.key);
    if (!stored) return null;
    if (stored.requestHash !== intent.requestHash) {
      throw new HttpError(
        "IDEMPOTENCY_KEY_REUSED",
        "This Idempotency-Key was used with a different request.",
      );
    }
    return replayed(stored.response);
  };

  const earlier = await replay();
  if (earlier !== null) return earlier;
  try {
    return await run(intent);
  } catch (error) {
    // A concurrent request with the same key may have won meanwhile (its write made
    // this one fail one way or another): its stored answer is ours too.
    const winner = await replay();
    if (winner !== null) return winner;
    throw error;
  }
}

function send(c: Context, r: StoredResponse): Response {
  return c.json(r.body as object, r.status as 200);
}
