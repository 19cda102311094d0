import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { StaffPrincipal } from "../../shared/adapters/auth/staff-tokens";
import { DomainError } from "../../shared/domain/errors";
import { type AppDeps, type AppEnv, STAFF_COOKIE, secureCookies } from "./context";

/**
 * Staff routes need a valid pool token (Bearer header or the console's session
 * cookie) and the receptionist or admin group: 401 without one, 403 without the group.
 */
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

function fromThisOrigin(c: Context): boolean {
  if (c.req.header("Sec-Fetch-Site") === "cross-site") return false;
  const origin = c.req.header("Origin");
  if (!origin) return c.req.header("Sec-Fetch-Site") !== "same-site";
  try {
    return new URL(origin).host === new URL(c.req.url).host;
  } catch {
    return false;
  }
}

export function requireStaff(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("Authorization");
    const bearer = header?.match(/^Bearer\s+(\S{1,4096})$/i)?.[1];
    const token = bearer ?? getCookie(c, STAFF_COOKIE);
    if (!token) throw new DomainError("UNAUTHENTICATED", "Please sign in.");
    // A browser sends the cookie along with another site's request (another port of
    // this host counts as the same site): a change riding on it must come from here.
    if (!bearer && !SAFE.has(c.req.method) && !fromThisOrigin(c)) {
      throw new DomainError(
        "FORBIDDEN",
        "Changes with the session cookie must come from the console.",
      );
    }
    const principal = await deps.staffTokens.verify(token);
    if (principal.groups.length === 0) {
      throw new DomainError("FORBIDDEN", "This account is not allowed to use the staff tools.");
    }
    c.set("staff", principal);
    await next();
  };
}

/**
 * The console's session cookie: HttpOnly, SameSite=Strict, kept a while past the
 * token's own expiry so that the next request can say the session expired.
 */
export function setStaffSession(
  c: Context,
  deps: AppDeps,
  session: { token: string; expiresAt: Date },
): void {
  setCookie(c, STAFF_COOKIE, session.token, {
    httpOnly: true,
    secure: secureCookies(deps),
    sameSite: "Strict",
    path: "/",
    expires: new Date(session.expiresAt.getTime() + 12 * 3_600_000),
  });
}

/** The clinical plan is the clinic's word to its patients: only an admin changes it. */
export function canChangePlan(staff: StaffPrincipal): boolean {
  return staff.groups.includes("admin");
}

export function requirePlanAdmin(staff: StaffPrincipal): void {
  if (!canChangePlan(staff)) {
    throw new DomainError("FORBIDDEN", "Only an admin can change the aftercare plan.");
  }
}

/** For routes behind `requireStaff`: 403 for staff outside the admin group. */
export const onlyPlanAdmins: MiddlewareHandler<AppEnv> = async (c, next) => {
  requirePlanAdmin(c.get("staff"));
  await next();
};
