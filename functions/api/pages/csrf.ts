import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { type AppDeps, secureCookies } from "../context";

/**
 * CSRF protection for the pages' forms (signed double submit): the browser holds a
 * random cookie, and every form carries a token signed over that cookie's value.
 * Another site can make a browser send the cookie, but cannot read it to forge the
 * matching token. Tokens expire, so a form left open overnight asks to be reloaded.
 */
export const CSRF_COOKIE = "csrf";
export const CSRF_FIELD = "_csrf";
const TOKEN_HOURS = 12;

/** The token for this browser's forms; sets the cookie on a first visit. */
export function csrfToken(c: Context, deps: AppDeps): string {
  let value = getCookie(c, CSRF_COOKIE);
  if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) {
    value = randomBytes(32).toString("base64url");
    setCookie(c, CSRF_COOKIE, value, {
      httpOnly: true,
      secure: secureCookies(deps),
      sameSite: "Lax",
      path: "/",
    });
  }
  const expires = new Date(deps.bookings.clock.now().getTime() + TOKEN_HOURS * 3_600_000);
  return deps.tokens.sign("csrf", value, expires);
}

/** True when the submitted token was signed for this browser's cookie and is fresh. */
export function csrfValid(c: Context, deps: AppDeps, submitted: string | undefined): boolean {
  const cookie = getCookie(c, CSRF_COOKIE);
  if (!cookie) return false;
  return deps.tokens.verify(submitted, "csrf", deps.bookings.clock.now()) === cookie;
}
