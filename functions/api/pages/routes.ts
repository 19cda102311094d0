import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../context";
import { ASSETS } from "./assets";
import { patientBookingPages } from "./patient-booking";
import { patientManagePages } from "./patient-manage";

/** Every page, and the stylesheet and script they share. */
export function pageRoutes(deps: AppDeps) {
  const router = new Hono<AppEnv>();
  for (const asset of Object.values(ASSETS)) {
    router.get(asset.path, (c) => {
      c.header("Content-Type", asset.type);
      // The path carries the content's hash: a new version is a new URL.
      c.header("Cache-Control", "public, max-age=31536000, immutable");
      return c.body(asset.body);
    });
  }
  router.route("/", patientBookingPages(deps));
  router.route("/", patientManagePages(deps));
  return router;
}
