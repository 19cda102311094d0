import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type IPolicyValidationPlugin, Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, onTestFinished } from "vitest";
import { buildClinic } from "../../infra/clinic-app";
import { FEATURE_FLAGS } from "../../infra/feature-flags";

export const TEST_ENV = { account: "111111111111", region: "us-west-2" } as const;

/**
 * Builds and synthesises both stacks once (call it once per test file). Bundling is
 * skipped unless `aws:cdk:bundling-stacks` says otherwise (`npm run synth` bundles, and
 * api-bundle.test.ts compares with the real bundle); so is the built-in CloudFormation
 * schema check, which `npm run synth` runs.
 */
export function synthClinic(
  context: Record<string, unknown> = {},
  options: { suppress?: boolean; plugins?: IPolicyValidationPlugin[] } = {},
) {
  const outdir = mkdtempSync(join(tmpdir(), "clinic-cdk-"));
  removeAfterwards(outdir);
  const app = new App({
    outdir,
    builtinCloudFormationValidation: false,
    context: {
      ...FEATURE_FLAGS,
      "aws:cdk:bundling-stacks": [],
      account: TEST_ENV.account,
      region: TEST_ENV.region,
      ...context,
    },
  });
  const clinic = buildClinic(app, options);
  if (options.plugins) Validations.of(app).addPlugins(...options.plugins);
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

/** Removes a synth's output when its test (or, outside a test, its file) is done. */
function removeAfterwards(dir: string) {
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    afterAll(remove);
  }
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
