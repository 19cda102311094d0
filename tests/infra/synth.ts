import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { buildClinic } from "../../infra/clinic-app";
import { FEATURE_FLAGS } from "../../infra/feature-flags";

export const TEST_ENV = { account: "111111111111", region: "us-west-2" } as const;

/**
 * Builds and synthesises both stacks once (call it once per test file). Bundling is
 * skipped here (`npm run synth` bundles for real, and api-bundle.test.ts runs the real
 * bundle); so is the built-in CloudFormation schema check, which `npm run synth` runs.
 */
export function synthClinic(context: Record<string, string> = {}) {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), "clinic-cdk-")),
    builtinCloudFormationValidation: false,
    context: {
      ...FEATURE_FLAGS,
      "aws:cdk:bundling-stacks": [],
      account: TEST_ENV.account,
      region: TEST_ENV.region,
      ...context,
    },
  });
  const clinic = buildClinic(app);
  const assembly = app.synth();
  const template = (name: string) =>
    Template.fromJSON(assembly.getStackByName(name).template as Record<string, unknown>);
  return {
    app,
    ...clinic,
    dataTemplate: template(clinic.data.stackName),
    appTemplate: template(clinic.appStack.stackName),
  };
}

export type Resource = { Type: string; Properties?: Record<string, any>; [k: string]: any };

/** The resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** The one resource of a type (fails when there are more). */
export function only(template: Template, type: string): [string, Resource] {
  const all = resourcesOf(template, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0] as [string, Resource];
}
