import type { Context, MiddlewareHandler, NotFoundHandler } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import type { RouterRoute } from "hono/types";
import { DomainError } from "../../shared/domain/errors";
import type { AppDeps } from "./context";
import { errorResponse } from "./errors";
import { HttpError } from "./http-errors";
import { pageErrors } from "./pages/page-errors";
import { wantsPage } from "./pages/plain-page";

/**
 * What the app says about itself to any client, whatever the route: which answers
 * may be kept, which methods a path takes, and what is not here.
 */

/**
 * `Cache-Control: no-store` on every API answer but the public catalog's: they
 * carry a patient's data (the manage link's booking, every staff route), a token
 * (a booking's `manageUrl`, the sign-in) or a refusal about someone's record, and
 * no browser, proxy or CDN may keep them. Availability is public unless it is asked
 * with a patient's rebooking token, which adds that patient's earliest date.
 * Set before the route runs, so refusals and errors carry it too.
 */
export const privateApiAnswers: MiddlewareHandler = async (c, next) => {
  if (c.req.path.startsWith("/api/") && !isPublicRead(c)) c.header("Cache-Control", "no-store");
  await next();
};

function isPublicRead(c: Context): boolean {
  if (c.req.method !== "GET" && c.req.method !== "HEAD") return false;
  if (c.req.path === "/api/treatments") return true;
  return c.req.path === "/api/availability" && c.req.query("rebook") === undefined;
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

/** The methods each path takes, from the app's own routes (its middleware left out). */
export function methodTable(routes: RouterRoute[]): (path: string) => string[] {
  const router = new TrieRouter<true>();
  for (const r of routes) {
    // `use()` registers middleware for ALL methods under a wildcard; a route
    // registered with `all()` on a plain path takes every method.
    if (r.method === "ALL" && r.path.endsWith("*")) continue;
    router.add(r.method, r.path, true);
  }
  return (path) => {
    const allowed: string[] = METHODS.filter(
      (m) => router.match(m === "HEAD" ? "GET" : m, path)[0].length > 0,
    );
    return allowed.length > 0 ? [...allowed, "OPTIONS"] : [];
  };
}

/**
 * A known path asked with a method it does not take is 405 with `Allow` (JSON for
 * API clients, a page for a browser); `OPTIONS` on a known path is 204 with `Allow`.
 * Unknown paths go on to the 404. Mounted after the staff check, so the staff API
 * still tells a caller without a token nothing but 401.
 */
export function allowedMethods(deps: AppDeps, app: { routes: RouterRoute[] }): MiddlewareHandler {
  let methodsOf: ((path: string) => string[]) | undefined;
  return async (c, next) => {
    // Built at the first request, when every route is registered.
    methodsOf ??= methodTable(app.routes);
    const allowed = methodsOf(c.req.path);
    if (allowed.length === 0) return next();
    if (c.req.method === "OPTIONS") {
      c.header("Allow", allowed.join(", "));
      return c.body(null, 204);
    }
    if (allowed.includes(c.req.method)) return next();
    c.header("Allow", allowed.join(", "));
    const refusal = new HttpError(
      "METHOD_NOT_ALLOWED",
      `${c.req.method} is not allowed here; this address takes ${allowed.join(", ")}.`,
    );
    if (wantsPage(c.req.path, c.req.header("Accept"))) {
      return pageErrors(deps, homeOf(c.req.path))(refusal, c);
    }
    return errorResponse(c, refusal.code, refusal.message);
  };
}

const homeOf = (path: string) =>
  path === "/staff" || path.startsWith("/staff/") ? "/staff" : "/book";

/** Not here: a page for a person's browser (outside the API), JSON for everyone else. */
export function notFound(deps: AppDeps): NotFoundHandler {
  return (c) => {
    if (wantsPage(c.req.path, c.req.header("Accept"))) {
      return pageErrors(deps, homeOf(c.req.path))(
        new DomainError("NOT_FOUND", "There is no page at this address."),
        c,
      );
    }
    return errorResponse(c, "NOT_FOUND", "No such route.");
  };
}
