import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../context";
import { ASSETS } from "./assets";
import { pageErrors } from "./page-errors";
import { patientBookingPages } from "./patient-booking";
import { patientManagePages } from "./patient-manage";
import { staffBookPages } from "./staff-book";
import { staffBookingPages } from "./staff-booking";
import { staffPlanPages } from "./staff-plan";
import { staffRecordPages } from "./staff-records";
import { staffReschedulePages } from "./staff-reschedule";
import { staffSchedulePages } from "./staff-schedule";
import { requireStaffPage, staffSessionPages } from "./staff-session";

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
  // Browsers and other clients ask for it at this fixed address whatever the page says.
  router.get("/favicon.ico", (c) => {
    c.header("Content-Type", ASSETS.icon.type);
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(ASSETS.icon.body);
  });
  router.route("/", patientBookingPages(deps));
  router.route("/", patientManagePages(deps));

  const console = new Hono<AppEnv>();
  console.onError(pageErrors(deps, "/staff"));
  console.route("/", staffSessionPages(deps));
  const signedIn = new Hono<AppEnv>();
  signedIn.use(requireStaffPage(deps));
  signedIn.route("/", staffSchedulePages(deps));
  signedIn.route("/", staffBookPages(deps));
  signedIn.route("/", staffBookingPages(deps));
  signedIn.route("/", staffReschedulePages(deps));
  signedIn.route("/", staffRecordPages(deps));
  signedIn.route("/", staffPlanPages(deps));
  console.route("/", signedIn);
  router.route("/", console);
  return router;
}
