import { describe, expect, it } from "vitest";
import { API_THROTTLE, SIGN_IN_THROTTLE } from "../../infra/constructs/http-api";
import { PUBLIC_ROUTES, routeKey, SIGN_IN_ROUTES, STAFF_ROUTES } from "../../infra/routes";
import { only, resourcesOf, synthClinic, TEST_ENV } from "./synth";

const { appTemplate: t } = synthClinic();
const routes = resourcesOf(t, "AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties ?? {});
const [authorizerId, authorizer] = only(t, "AWS::ApiGatewayV2::Authorizer");

const isStaffPath = (key: string) => /^[A-Z]+ \/api\/staff(\/|$)/.test(key);
const isSignIn = (key: string) => /^(POST|DELETE) \/api\/staff\/session$/.test(key);

describe("the HTTP API", () => {
  it("has exactly the staff, sign-in, public and $default routes", () => {
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(
      [...STAFF_ROUTES, ...SIGN_IN_ROUTES, ...PUBLIC_ROUTES]
        .map(routeKey)
        .concat("$default")
        .sort(),
    );
  });

  it("puts the Cognito JWT authorizer on every staff route except sign-in and sign-out", () => {
    const staff = routes.filter((r) => isStaffPath(r.RouteKey) && !isSignIn(r.RouteKey));
    expect(staff.length).toBeGreaterThanOrEqual(2);
    for (const r of staff) {
      expect(r.AuthorizationType, r.RouteKey).toBe("JWT");
      expect(r.AuthorizerId, r.RouteKey).toEqual({ Ref: authorizerId });
    }
  });

  it("leaves sign-in, sign-out, the public routes and $default without an authorizer", () => {
    const open = routes.filter((r) => !isStaffPath(r.RouteKey) || isSignIn(r.RouteKey));
    expect(open.map((r) => r.RouteKey)).toEqual(
      expect.arrayContaining([
        "POST /api/staff/session",
        "DELETE /api/staff/session",
        "GET /api/treatments",
        "GET /api/availability",
        "ANY /api/bookings/{proxy+}",
        "POST /api/unsubscribe",
        "ANY /unsubscribe",
        "GET /docs",
        "GET /openapi.json",
        "GET /health",
        "$default",
      ]),
    );
    for (const r of open) {
      expect(r.AuthorizationType ?? "NONE", r.RouteKey).toBe("NONE");
      expect(r.AuthorizerId, r.RouteKey).toBeUndefined();
    }
  });

  it("checks tokens of the staff pool's console client (issuer and audience)", () => {
    expect(authorizer.Properties?.AuthorizerType).toBe("JWT");
    expect(authorizer.Properties?.IdentitySource).toEqual(["$request.header.Authorization"]);
    const { Issuer, Audience } = authorizer.Properties?.JwtConfiguration ?? {};
    expect(JSON.stringify(Issuer)).toContain(
      `https://cognito-idp.${TEST_ENV.region}.amazonaws.com/`,
    );
    expect(JSON.stringify(Issuer)).toMatch(/StaffPool[0-9A-F]{8}/);
    // The console client's id, from the data stack.
    expect(Audience).toHaveLength(1);
    expect(JSON.stringify(Audience)).toMatch(/StaffPoolConsole[0-9A-F]{8}/);
  });

  it("sends every route to the api function with payload 2.0", () => {
    const [integrationId, integration] = only(t, "AWS::ApiGatewayV2::Integration");
    expect(integration.Properties?.PayloadFormatVersion).toBe("2.0");
    expect(integration.Properties?.IntegrationType).toBe("AWS_PROXY");
    for (const r of routes) {
      expect(r.Target).toEqual({ "Fn::Join": ["", ["integrations/", { Ref: integrationId }]] });
    }
  });

  it("throttles the stage (sign-in harder) and writes JSON access logs without personal data", () => {
    const [, stage] = only(t, "AWS::ApiGatewayV2::Stage");
    expect(stage.Properties?.StageName).toBe("$default");
    expect(stage.Properties?.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: API_THROTTLE.rateLimit,
      ThrottlingBurstLimit: API_THROTTLE.burstLimit,
    });
    const signIn = {
      ThrottlingRateLimit: SIGN_IN_THROTTLE.rateLimit,
      ThrottlingBurstLimit: SIGN_IN_THROTTLE.burstLimit,
    };
    expect(stage.Properties?.RouteSettings).toEqual({
      "POST /api/staff/session": signIn,
      "POST /staff/sign-in": signIn,
    });
    const logs = stage.Properties?.AccessLogSettings;
    expect(logs?.DestinationArn).toBeDefined();
    const format = JSON.parse(logs?.Format);
    expect(format.requestId).toBe("$context.requestId");
    expect(logs?.Format).not.toMatch(/sourceIp|userAgent|querystring/i);
  });
});
