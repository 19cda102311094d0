import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { DomainError } from "../../../shared/domain/errors";
import { stopEmails } from "../../../shared/services/consent";
import type { AppDeps } from "../context";
import { operation, PUBLIC } from "../operations";
import { unsubscribePage } from "../pages/unsubscribe-page";
import { newRouter } from "../router";
import { errors, jsonResponse } from "../schemas";

const TokenQuery = z.object({ token: z.string().max(200).optional() });

const oneClickRoute = operation({
  method: "post",
  path: "/api/unsubscribe",
  operationId: "unsubscribe",
  // The signed token in the query is the whole authority: no scheme applies.
  security: PUBLIC,
  tags: ["Public"],
  summary: "One-click unsubscribe from aftercare emails (RFC 8058)",
  description:
    "Mail clients POST `List-Unsubscribe=One-Click` to the URL in the List-Unsubscribe header. A GET of the same URL (a mail client without one-click opens it in a browser) answers the unsubscribe page and changes nothing.",
  request: {
    query: TokenQuery,
    // Described, not validated: any body is accepted (and ignored), as RFC 8058 asks.
    body: {
      required: false,
      content: {
        "application/x-www-form-urlencoded": {
          schema: {
            type: "object",
            properties: { "List-Unsubscribe": { type: "string", enum: ["One-Click"] } },
          },
        },
      },
    },
  },
  responses: {
    200: jsonResponse(z.object({ unsubscribed: z.literal(true) }), "No more aftercare emails"),
    ...errors([404, "Missing, wrong or expired token"]),
  },
});

const page = (description: string) => ({
  description,
  content: { "text/html": { schema: { type: "string" as const } } },
});

const askRoute = operation({
  method: "get",
  path: "/api/unsubscribe",
  operationId: "unsubscribePage",
  tags: ["Public"],
  summary: "The List-Unsubscribe URL opened in a browser: a page that asks, and changes nothing",
  security: PUBLIC,
  // Not validated: any token that does not verify is the expired-link page.
  parameters: [{ name: "token", in: "query", required: false, schema: { type: "string" } }],
  responses: {
    200: page("The page asking to confirm, with a button that unsubscribes"),
    404: page("The expired-link page: the token is missing, wrong or expired"),
  },
});

/** The unsubscribe link of every aftercare email: a page, and the one-click endpoint. */
export function unsubscribeRoutes(deps: AppDeps) {
  const { clock } = deps.bookings;
  const patientOf = (token: string | undefined) => {
    const id = deps.tokens.verify(token, "unsubscribe", clock.now());
    if (!id) throw new DomainError("NOT_FOUND", "This link is not valid any more.");
    return id;
  };
  const unsubscribe = (patientId: string) =>
    stopEmails(deps.bookings, {
      patientId,
      stop: "unsubscribed",
      reason: "The patient unsubscribed.",
    });

  const clinicName = async () =>
    (await deps.bookings.catalogs.catalog(deps.bookings.locationId)).clinic.name;
  const expired = async (c: Context) => unsubscribePage(c, await clinicName(), "expired");

  const router = newRouter();
  router.openapi(oneClickRoute, async (c) => {
    await unsubscribe(patientOf(c.req.valid("query").token));
    deps.logger.info("unsubscribed", {});
    return c.json({ unsubscribed: true as const }, 200);
  });

  // The page's form needs no CSRF cookie: the signed token in its URL is the secret
  // another site cannot know, and the one-click endpoint accepts it alone anyway.
  // A GET only asks (link scanners fetch every URL in a message), so it serves both
  // the page's own link and the List-Unsubscribe URL a plain mail client opens.
  const ask = async (c: Context) => {
    const token = c.req.query("token");
    if (!deps.tokens.verify(token, "unsubscribe", clock.now())) return expired(c);
    return unsubscribePage(
      c,
      await clinicName(),
      "ask",
      `/unsubscribe?token=${encodeURIComponent(token ?? "")}`,
    );
  };
  router.get("/unsubscribe", ask);
  router.openapi(askRoute, ask);

  router.post("/unsubscribe", async (c) => {
    const patientId = deps.tokens.verify(c.req.query("token"), "unsubscribe", clock.now());
    if (!patientId) return expired(c);
    await unsubscribe(patientId);
    return unsubscribePage(c, await clinicName(), "done");
  });
  return router;
}
