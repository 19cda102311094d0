import { createRoute, z } from "@hono/zod-openapi";
import { html } from "hono/html";
import { DomainError } from "../../../shared/domain/errors";
import { stopEmails } from "../../../shared/services/consent";
import type { AppDeps } from "../context";
import { newRouter } from "../router";
import { errors, jsonResponse } from "../schemas";

const TokenQuery = z.object({ token: z.string().max(200).optional() });

const oneClickRoute = createRoute({
  method: "post",
  path: "/api/unsubscribe",
  tags: ["Public"],
  summary: "One-click unsubscribe from aftercare emails (RFC 8058)",
  description:
    "Mail clients POST `List-Unsubscribe=One-Click` to the URL in the List-Unsubscribe header.",
  request: { query: TokenQuery },
  responses: {
    200: jsonResponse(z.object({ unsubscribed: z.literal(true) }), "No more aftercare emails"),
    ...errors([404, "Missing, wrong or expired token"]),
  },
});

const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'";

function page(title: string, body: ReturnType<typeof html>) {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}
button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:1px solid #555;background:#fff;cursor:pointer}
button:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}</style></head>
<body><main>${body}</main></body></html>`;
}

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

  const router = newRouter();
  router.openapi(oneClickRoute, async (c) => {
    await unsubscribe(patientOf(c.req.valid("query").token));
    deps.logger.info("unsubscribed", {});
    return c.json({ unsubscribed: true as const }, 200);
  });

  router.get("/unsubscribe", (c) => {
    const token = c.req.query("token");
    c.header("Content-Security-Policy", PAGE_CSP);
    if (!deps.tokens.verify(token, "unsubscribe", clock.now())) {
      return c.html(
        page(
          "Link expired",
          html`<h1>This link has expired</h1><p>Reply to any of our emails and we will stop them for you.</p>`,
        ),
        404,
      );
    }
    return c.html(
      page(
        "Stop aftercare emails",
        html`<h1>Stop aftercare emails?</h1>
<p>You will no longer receive aftercare advice or reminders to book your next session. Emails about appointments you book still arrive.</p>
<form method="post" action="/unsubscribe?token=${encodeURIComponent(token ?? "")}"><button type="submit">Stop aftercare emails</button></form>`,
      ),
    );
  });

  router.post("/unsubscribe", async (c) => {
    c.header("Content-Security-Policy", PAGE_CSP);
    const patientId = deps.tokens.verify(c.req.query("token"), "unsubscribe", clock.now());
    if (!patientId) {
      return c.html(page("Link expired", html`<h1>This link has expired</h1>`), 404);
    }
    await unsubscribe(patientId);
    return c.html(
      page(
        "Unsubscribed",
        html`<h1>You are unsubscribed</h1><p>You will not receive any more aftercare emails.</p>`,
      ),
    );
  });
  return router;
}
