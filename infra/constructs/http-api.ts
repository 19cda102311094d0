import { RemovalPolicy } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpUserPoolAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as cognito from "aws-cdk-lib/aws-cognito";
import type * as kms from "aws-cdk-lib/aws-kms";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { PUBLIC_ROUTES, type RouteSpec, SIGN_IN_ROUTES, STAFF_ROUTES } from "../routes";
import type { DeploySettings } from "../settings";
import { retentionFor } from "./clinic-function";

export interface ClinicHttpApiProps {
  settings: DeploySettings;
  handler: lambda.IFunction;
  userPool: cognito.IUserPool;
  userPoolClient: cognito.IUserPoolClient;
  logKey: kms.IKey;
}

/** Requests per second (steady, burst) the whole API accepts; sign-in has its own, lower. */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 };
export const SIGN_IN_THROTTLE = { rateLimit: 2, burstLimit: 5 };

/**
 * The HTTP API in front of the `api` function: one Lambda integration (payload 2.0),
 * the Cognito JWT authorizer on the staff routes only (routes.ts), stage throttling and
 * JSON access logs. Access logs carry ids, status and timings: no IP address, no user
 * agent, no query string (patients' tokens travel in it).
 */
export class ClinicHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly authorizer: HttpUserPoolAuthorizer;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ClinicHttpApiProps) {
    super(scope, id);
    const integration = new HttpLambdaIntegration("Api", props.handler, {
      payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
    });
    this.api = new apigw.HttpApi(this, "Api", {
      apiName: `clinic-${props.settings.stage}`,
      description: "Clinic booking: patients' pages and API, staff API",
      createDefaultStage: false,
      // Everything not routed below (pages, unknown paths) goes to the app, public.
      defaultIntegration: integration,
    });
    this.authorizer = new HttpUserPoolAuthorizer("StaffPool", props.userPool, {
      userPoolClients: [props.userPoolClient],
      identitySource: ["$request.header.Authorization"],
    });

    const add = (routes: readonly RouteSpec[], authorizer?: HttpUserPoolAuthorizer) => {
      for (const r of routes) {
        this.api.addRoutes({
          path: r.path,
          methods: [apigw.HttpMethod[r.method]],
          integration,
          ...(authorizer ? { authorizer } : {}),
        });
      }
    };
    add(STAFF_ROUTES, this.authorizer);
    // No authorizer on sign-in/sign-out: they must work without a token.
    add(SIGN_IN_ROUTES);
    add(PUBLIC_ROUTES);

    this.accessLogs = new logs.LogGroup(this, "AccessLogs", {
      retention: retentionFor(props.settings.stage),
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new apigw.HttpStage(this, "DefaultStage", {
      httpApi: this.api,
      stageName: "$default",
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            time: "$context.requestTime",
            routeKey: "$context.routeKey",
            path: "$context.path",
            status: "$context.status",
            latencyMs: "$context.responseLatency",
            integrationLatencyMs: "$context.integrationLatency",
            responseLength: "$context.responseLength",
            integrationError: "$context.integrationErrorMessage",
            authorizerError: "$context.authorizer.error",
          }),
        ),
      },
    });
    const cfnStage = this.stage.node.defaultChild as apigw.CfnStage;
    // RouteSettings is a free-form map in the L1: CloudFormation's casing, written as is.
    const signInThrottle = {
      ThrottlingRateLimit: SIGN_IN_THROTTLE.rateLimit,
      ThrottlingBurstLimit: SIGN_IN_THROTTLE.burstLimit,
    };
    cfnStage.routeSettings = {
      "POST /api/staff/session": signInThrottle,
      "POST /staff/sign-in": signInThrottle,
    };
  }
}
