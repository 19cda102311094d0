import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AppDeps } from "./context";
import { errorResponse, onError } from "./errors";
import { newRouter } from "./router";
import { bookingRoutes } from "./routes/bookings";
import { catalogRoutes } from "./routes/catalog";
import { docsRoutes } from "./routes/docs";
import { staffRoutes } from "./routes/staff";

export const MAX_BODY_BYTES = 32 * 1024;

/** The whole HTTP app (JSON API and, later, pages), built from its dependencies. */
export function createApp(deps: AppDeps) {
  const app = newRouter();
  app.use(requestId());
  app.use(secureHeaders());
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => errorResponse(c, "PAYLOAD_TOO_LARGE", "The request body is over 32 KiB."),
    }),
  );
  app.route("/", catalogRoutes(deps));
  app.route("/", bookingRoutes(deps));
  app.route("/", staffRoutes(deps));
  docsRoutes(app);
  app.get("/health", (c) => c.json({ ok: true }));
  app.notFound((c) => errorResponse(c, "NOT_FOUND", "No such route."));
  app.onError(onError(deps.logger));
  return app;
}

export type App = ReturnType<typeof createApp>;
