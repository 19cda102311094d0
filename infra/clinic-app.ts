import { type App, Tags } from "aws-cdk-lib";
import { applySuppressions } from "./nag-suppressions";
import { names, readSettings } from "./settings";
import { AppStack } from "./stacks/app-stack";
import { DataStack } from "./stacks/data-stack";

/**
 * Both stacks of one stage, from the app's context (infra/settings.ts), with the
 * accepted cdk-nag findings acknowledged (`suppress: false` only for the test that
 * checks every acknowledgement matches a real finding).
 */
export function buildClinic(app: App, options: { suppress?: boolean } = {}) {
  const settings = readSettings(app.node);
  const n = names(settings.stage);
  const env = { account: settings.account, region: settings.region };
  const data = new DataStack(app, n.dataStack, {
    env,
    settings,
    description: `Clinic booking (${settings.stage}): table, staff pool, secrets (retained)`,
    terminationProtection: settings.stage === "prod",
  });
  const appStack = new AppStack(app, n.appStack, {
    env,
    settings,
    data,
    description: `Clinic booking (${settings.stage}): functions, HTTP API, scheduling, alarms`,
  });
  for (const s of [data, appStack]) {
    Tags.of(s).add("app", "clinic-booking");
    Tags.of(s).add("stage", settings.stage);
  }
  const suppressions = options.suppress === false ? [] : applySuppressions(data, appStack);
  return { settings, data, appStack, suppressions };
}
