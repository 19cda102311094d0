import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { compression } from "./compression";
import type { AppDeps } from "./context";
import { errorResponse, onError } from "./errors";
import { allowedMethods, notFound, privateApiAnswers } from "./http-manners";
import { plainPage, wantsPage } from "./pages/plain-page";
import { pageRoutes } from "./pages/routes";
import { rateLimit } from "./rate-limit";
import { newRouter } from "./router";
import { aftercareRoutes } from "./routes/aftercare";
import { bookingRoutes } from "./routes/bookings";
import { catalogRoutes } from "./routes/catalog";
import { docsRoutes } from "./routes/docs";
import { staffRoutes } from "./routes/staff";
import { unsubscribeRoutes } from "./routes/unsubscribe";
import { requireStaff } from "./staff-auth";

export const MAX_BODY_BYTES = 32 * 1024;
/** A whole aftercare plan may be larger than any other body. */
export const MAX_PLAN_BYTES = 64 * 1024;

/** The whole HTTP app (JSON API and, later, pages), built from its dependencies. */
export function createApp(deps: AppDeps) {
  const app = newRouter();
  app.use(requestId());
  app.use(compression);
  app.use(secureHeaders());
  app.use(privateApiAnswers);
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) => {
        // The rest of the body is never read, so this connection cannot carry another request.
        c.header("Connection", "close");
        if (wantsPage(c.req.path, c.req.header("Accept"))) {
          return c.html(
            plainPage("Too much to send", "The form is larger than we accept. Please shorten it."),
            413,
          );
        }
        return errorResponse(
          c,
          "PAYLOAD_TOO_LARGE",
          `The request body is over ${maxSize / 1024} KiB.`,
        );
      },
    });
  const defaultLimit = limit(MAX_BODY_BYTES);
  const planLimit = limit(MAX_PLAN_BYTES);
  // The plan editor's form encodes the same plan with more bytes than JSON does.
  const planFormLimit = limit(2 * MAX_PLAN_BYTES);
  app.use((c, next) =>
    c.req.path === "/api/staff/aftercare-plan"
      ? planLimit(c, next)
      : c.req.path === "/staff/plan"
        ? planFormLimit(c, next)
        : defaultLimit(c, next),
  );
  if (deps.rateLimit) app.use(rateLimit(deps.rateLimit));
  // Every staff route but sign-in and sign-out needs a staff token.
  const staffOnly = requireStaff(deps);
  app.use("/api/staff/*", (c, next) =>
    c.req.path === "/api/staff/session" ? next() : staffOnly(c, next),
  );
  app.use(allowedMethods(deps, app));

  app.route("/", catalogRoutes(deps));
  app.route("/", bookingRoutes(deps));
  app.route("/", staffRoutes(deps));
  app.route("/", aftercareRoutes(deps));
  app.route("/", unsubscribeRoutes(deps));
  app.route("/", pageRoutes(deps));
  docsRoutes(app, deps.publicBaseUrl);
  app.get("/health", (c) => c.json({ ok: true }));
  app.notFound(notFound(deps));
  app.onError(onError(deps.logger));
  return app;
}

export type App = ReturnType<typeof createApp>;
