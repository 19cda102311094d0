#!/usr/bin/env node
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, HIPAASecurityChecks } from "cdk-nag";
import { buildClinic } from "./clinic-app";
import { FEATURE_FLAGS } from "./feature-flags";

// `npx cdk synth|deploy -c stage=prod -c mailDomain=… -c publicBaseUrl=…` (README "Deploy to AWS").
const app = new App({ context: FEATURE_FLAGS });
buildClinic(app);
// `-c nag=true` runs cdk-nag's AwsSolutions and HIPAA Security packs at synth
// (tests/infra/nag.test.ts runs them on every `npm test`).
if (app.node.tryGetContext("nag") === true || app.node.tryGetContext("nag") === "true") {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
}
app.synth();
