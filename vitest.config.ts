import { defineConfig } from "vitest/config";
import { assertNodeVersion } from "./local/services/node-version.ts";

// Every run, unit or system, on the Node the functions run on: fail at once otherwise.
assertNodeVersion();

/**
 * Two tiers. `unit`: pure rules, messages and schemas, no services (`npm run
 * test:unit`). `system`: everything that talks to the local DynamoDB, Cognito and
 * SES stand-ins, a browser or the synthesized stacks; its global setup starts
 * those services once per run.
 */
export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", "./tests/support/summary-reporter.ts"],
    projects: [
      { extends: true, test: { name: "unit", include: ["tests/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "system",
          include: ["tests/{api,integration,e2e,infra}/**/*.test.ts"],
          globalSetup: ["tests/support/global-setup.ts"],
        },
      },
    ],
  },
});
