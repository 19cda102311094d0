/**
 * The HTTP API's routes. The Hono app serves everything; API Gateway's routes exist
 * to put the Cognito JWT authorizer in front of the staff API, and to name the public
 * surface. Most specific match wins in an HTTP API, so `POST /api/staff/session`
 * beats `ANY /api/staff/{proxy+}`.
 */
export interface RouteSpec {
  method: "ANY" | "GET" | "POST" | "PUT" | "DELETE";
  path: string;
}

/** Staff API: a valid access token of the staff user pool's console client is required. */
export const STAFF_ROUTES: readonly RouteSpec[] = [
  { method: "ANY", path: "/api/staff" },
  { method: "ANY", path: "/api/staff/{proxy+}" },
];

/**
 * Sign-in and sign-out must be reachable WITHOUT a token (signing in is how one gets
 * a token; signing out only clears the cookie), so they carry no authorizer.
 */
export const SIGN_IN_ROUTES: readonly RouteSpec[] = [
  { method: "POST", path: "/api/staff/session" },
  { method: "DELETE", path: "/api/staff/session" },
  // The console's sign-in form: its own route, so the stage throttles it like the API's.
  { method: "POST", path: "/staff/sign-in" },
];

/**
 * Patients' API and pages: no authorizer (patients hold signed links, checked by the
 * app). `$default` catches the pages and anything else; the app answers 404 itself.
 * The front desk's pages (`/staff`, `/staff/...`) come through `$default` too: the app
 * verifies their HttpOnly session cookie against the pool itself, as a JWT authorizer
 * reads only the Authorization header.
 */
export const PUBLIC_ROUTES: readonly RouteSpec[] = [
  { method: "GET", path: "/api/treatments" },
  { method: "GET", path: "/api/availability" },
  { method: "ANY", path: "/api/bookings" },
  { method: "ANY", path: "/api/bookings/{proxy+}" },
  { method: "POST", path: "/api/unsubscribe" },
  { method: "ANY", path: "/unsubscribe" },
  { method: "GET", path: "/docs" },
  { method: "GET", path: "/openapi.json" },
  { method: "GET", path: "/health" },
];

export const routeKey = (r: RouteSpec) => `${r.method} ${r.path}`;
