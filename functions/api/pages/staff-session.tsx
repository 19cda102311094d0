import { type Context, Hono, type MiddlewareHandler } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import { DomainError } from "../../../shared/domain/errors";
import { type AppDeps, type AppEnv, STAFF_COOKIE, secureCookies } from "../context";
import { setStaffSession } from "../staff-auth";
import { csrfToken } from "./csrf";
import { readForm } from "./forms";
import { Layout, sendPage } from "./layout";

/** A `next` target may only be one of the console's own pages (no open redirect). */
export function safeNext(next: string | undefined): string {
  return next && /^\/staff(\/[A-Za-z0-9/_=&%.:-]*)?(\?[A-Za-z0-9/_=&%.:-]*)?$/.test(next)
    ? next
    : "/staff";
}

const signInUrl = (next: string, reason?: "expired" | "signed-out") =>
  `/staff/sign-in?next=${encodeURIComponent(next)}${reason ? `&${reason}=1` : ""}`;

/**
 * Console pages need the session cookie set at sign-in, holding a pool token of the
 * receptionist or admin group. Without one the browser goes to the sign-in page and
 * comes back afterwards; an expired one says so. Mounted for every path (a sub-app's
 * middleware is), so it picks the console's paths itself.
 */
export function requireStaffPage(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    const isConsole = path === "/staff" || path.startsWith("/staff/");
    if (!isConsole || path === "/staff/sign-in" || path === "/staff/sign-out") return next();
    const url = new URL(c.req.url);
    // After signing in, back to this page; a form's page is its URL without the action.
    const here = `${url.pathname.replace(/\/(complete|no-show|cancel)$/, "")}${url.search}`;
    const token = getCookie(c, STAFF_COOKIE);
    if (!token) return c.redirect(signInUrl(here), 303);
    try {
      const principal = await deps.staffTokens.verify(token);
      if (principal.groups.length === 0) {
        throw new DomainError("FORBIDDEN", "This account is not allowed to use the front desk.");
      }
      c.set("staff", principal);
    } catch (error) {
      if (error instanceof DomainError && error.code === "UNAUTHENTICATED") {
        deleteCookie(c, STAFF_COOKIE, { path: "/" });
        return c.redirect(signInUrl(here, "expired"), 303);
      }
      throw error;
    }
    await next();
  };
}

/** The console's frame for a signed-in receptionist. */
export function staffFrame(c: Context<AppEnv>, deps: AppDeps, clinicName: string) {
  const staff = c.get("staff");
  const csrf = csrfToken(c, deps);
  return {
    csrf,
    Page: (props: { title: string; children?: unknown }) => (
      <Layout
        title={props.title}
        clinicName={clinicName}
        home="/staff"
        staff={{ name: staff.username, csrf }}
      >
        {props.children as never}
      </Layout>
    ),
  };
}

export function staffSessionPages(deps: AppDeps) {
  const { catalogs, locationId } = deps.bookings;
  const secure = secureCookies(deps);
  const router = new Hono<AppEnv>();

  const signInPage = async (
    c: Context<AppEnv>,
    state: { email?: string; error?: string; status?: number },
  ) => {
    const catalog = await catalogs.catalog(locationId);
    const next = safeNext(c.req.query("next"));
    const notice = c.req.query("expired")
      ? "Your session has expired. Please sign in again."
      : c.req.query("signed-out")
        ? "You are signed out."
        : undefined;
    return sendPage(
      c,
      <Layout title="Sign in" clinicName={catalog.clinic.name} home="/staff">
        <h1>Front desk sign in</h1>
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
        {state.error ? (
          <p class="notice bad" role="alert">
            {state.error}
          </p>
        ) : null}
        <form method="post" action={`/staff/sign-in?next=${encodeURIComponent(next)}`}>
          <input type="hidden" name="_csrf" value={csrfToken(c, deps)} />
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value={state.email ?? ""}
          />
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
          />
          <p>
            <button type="submit">Sign in</button>
          </p>
        </form>
      </Layout>,
      { status: state.status ?? 200 },
    );
  };

  router.get("/staff/sign-in", (c) => signInPage(c, {}));

  router.post("/staff/sign-in", async (c) => {
    const form = await readForm(c, deps);
    const email = (form.email ?? "").trim().slice(0, 254);
    const password = (form.password ?? "").slice(0, 256);
    if (!email || !password) {
      return signInPage(c, { email, error: "Enter your email and password.", status: 422 });
    }
    try {
      const session = await deps.staffSignIn.signIn(email, password);
      setStaffSession(c, deps, session);
    } catch (error) {
      if (error instanceof DomainError && error.code === "UNAUTHENTICATED") {
        return signInPage(c, { email, error: "Email or password is incorrect.", status: 401 });
      }
      throw error;
    }
    deps.logger.info("staff signed in", {});
    return c.redirect(safeNext(c.req.query("next")), 303);
  });

  router.post("/staff/sign-out", async (c) => {
    await readForm(c, deps);
    deleteCookie(c, STAFF_COOKIE, { path: "/", secure });
    return c.redirect("/staff/sign-in?signed-out=1", 303);
  });

  return router;
}
