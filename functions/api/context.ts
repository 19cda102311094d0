import type { LinkTokens } from "../../shared/adapters/auth/link-tokens";
import type { StaffSignIn } from "../../shared/adapters/auth/staff-sign-in";
import type { StaffPrincipal, StaffTokenVerifier } from "../../shared/adapters/auth/staff-tokens";
import type { BookingDeps } from "../../shared/services/bookings";
import type { AppLogger } from "./logger";
import type { RateLimitOptions } from "./rate-limit";

/** Everything the app is built from; the composition roots assemble it. */
export interface AppDeps {
  bookings: BookingDeps;
  tokens: LinkTokens;
  staffTokens: StaffTokenVerifier;
  staffSignIn: StaffSignIn;
  /** Where patients' links point, e.g. https://book.faceofjules.com */
  publicBaseUrl: string;
  logger: AppLogger;
  /**
   * Per-client limit on public writes (the local server). Absent: no limit in the
   * app, as on AWS, where the API Gateway stage throttles.
   */
  rateLimit?: RateLimitOptions;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    staff: StaffPrincipal;
  };
};

export const STAFF_COOKIE = "staff_session";

/** Cookies are `Secure` wherever the public site is served over https. */
export const secureCookies = (deps: Pick<AppDeps, "publicBaseUrl">) =>
  deps.publicBaseUrl.startsWith("https://");
