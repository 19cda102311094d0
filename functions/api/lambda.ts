import { randomUUID } from "node:crypto";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SESClient } from "@aws-sdk/client-ses";
import { handle } from "hono/aws-lambda";
import { LinkTokens } from "../../shared/adapters/auth/link-tokens";
import { CognitoSignIn } from "../../shared/adapters/auth/staff-sign-in";
import { CognitoTokenVerifier } from "../../shared/adapters/auth/staff-tokens";
import { DynamoBookingStore } from "../../shared/adapters/dynamodb/booking-store";
import { createDocumentClient } from "../../shared/adapters/dynamodb/clients";
import { createLogger } from "../../shared/adapters/log/powertools-logger";
import { SesMailer } from "../../shared/adapters/mail/ses-mailer";
import {
  EventBridgeFollowUpScheduler,
  schedulerTargetFrom,
} from "../../shared/adapters/scheduler/eventbridge-scheduler";
import { readLinkSecret } from "../../shared/adapters/secrets/link-secret";
import { readApiConfig } from "../../shared/config";
import { EmailSpacingNotices } from "../../shared/services/spacing-notices";
import { createApp } from "./app";

/**
 * The Lambda composition root: config, clients and the app are built on the first
 * invocation (not at import), once per cold start; the link secret is read once.
 */
async function build() {
  const config = readApiConfig(process.env);
  const logger = createLogger("clinic-api", config.LOG_LEVEL);
  const linkSecret = await readLinkSecret(config);
  const { doc } = createDocumentClient({});
  const store = new DynamoBookingStore(doc, config.TABLE_NAME);
  const clock = { now: () => new Date() };
  const tokens = new LinkTokens(linkSecret);
  const mailer = new SesMailer(new SESClient({}), config.MAIL_FROM, config.SES_CONFIGURATION_SET);
  const app = createApp({
    bookings: {
      store,
      clock,
      log: logger,
      scheduler: new EventBridgeFollowUpScheduler(
        new SchedulerClient({}),
        schedulerTargetFrom(config),
        clock,
      ),
      newId: () => randomUUID().replaceAll("-", ""),
      locationId: config.LOCATION_ID,
      notices: new EmailSpacingNotices({
        store,
        mailer,
        tokens,
        clock,
        publicBaseUrl: config.PUBLIC_BASE_URL,
        logger,
      }),
    },
    tokens,
    staffTokens: new CognitoTokenVerifier({
      issuer: config.COGNITO_ISSUER,
      jwksUri: `${config.COGNITO_ISSUER}/.well-known/jwks.json`,
      clientId: config.COGNITO_CLIENT_ID,
    }),
    staffSignIn: new CognitoSignIn(new CognitoIdentityProviderClient({}), config.COGNITO_CLIENT_ID),
    publicBaseUrl: config.PUBLIC_BASE_URL,
    logger,
  });
  return handle(app);
}

let ready: ReturnType<typeof build> | undefined;

export const handler = async (...args: Parameters<Awaited<ReturnType<typeof build>>>) => {
  ready ??= build().catch((error) => {
    ready = undefined; // let the next invocation try again
    throw error;
  });
  return (await ready)(...args);
};
