import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SESClient } from "@aws-sdk/client-ses";
import { handle } from "hono/aws-lambda";
import { createDocumentClient } from "../../shared/adapters/dynamodb/clients";
import { createLogger } from "../../shared/adapters/log/powertools-logger";
import { schedulerTargetFrom } from "../../shared/adapters/scheduler/eventbridge-scheduler";
import { readLinkSecret } from "../../shared/adapters/secrets/link-secret";
import { readApiConfig } from "../../shared/config";
import { wireApp, wireCore } from "../wiring";
import { createApp } from "./app";

/**
 * The Lambda composition root: config, clients and the app are built on the first
 * invocation (not at import), once per cold start; the link secret is read once.
 */
async function build() {
  const config = readApiConfig(process.env);
  const logger = createLogger("clinic-api", config.LOG_LEVEL);
  const linkSecret = await readLinkSecret(config);
  const core = wireCore({
    doc: createDocumentClient({}).doc,
    tableName: config.TABLE_NAME,
    locationId: config.LOCATION_ID,
    clock: { now: () => new Date() },
    log: logger,
    scheduler: { client: new SchedulerClient({}), target: schedulerTargetFrom(config) },
    linkSecret,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    notices: {
      ses: new SESClient({}),
      mailFrom: config.MAIL_FROM,
      configurationSet: config.SES_CONFIGURATION_SET,
    },
  });
  const app = createApp(
    wireApp(core, {
      staff: {
        cognito: new CognitoIdentityProviderClient({}),
        issuer: config.COGNITO_ISSUER,
        jwksUri: `${config.COGNITO_ISSUER}/.well-known/jwks.json`,
        clientId: config.COGNITO_CLIENT_ID,
      },
      logger,
    }),
  );
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
