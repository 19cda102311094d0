import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type BundlingOptions, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import type { BuildOptions, Metafile } from "esbuild";

/** The functions the CDK app deploys: name → entry file, relative to the repository root. */
export const FUNCTION_ENTRIES = {
  api: "functions/api/lambda.ts",
  followups: "functions/followups/lambda.ts",
  "ses-events": "functions/ses-events/lambda.ts",
} as const;

export type FunctionKey = keyof typeof FUNCTION_ENTRIES;

/** The repository root (where package-lock.json is): the CDK's project root. */
export const PROJECT_ROOT = resolve(import.meta.dirname, "..");

/**
 * How every function is bundled, in one place: the CDK's NodejsFunction options and
 * esbuild's own options (the bundle test and the bench) are both derived from it, so
 * what is tested and measured is what is deployed.
 */
export interface BundleSpec {
  target: string;
  minify: boolean;
  sourceMap: boolean;
  sourcesContent: boolean;
  mainFields: string[];
  /** ESM output needs a `require` for the CommonJS dependencies that call it (nodemailer). */
  banner: string;
  /**
   * Leave `@aws-sdk/*` and `@smithy/*` to the Lambda runtime's copy instead of bundling them.
   * Measured in bench/results/bundle.md: bundling them starts faster and pins the
   * SDK version the tests ran with, so the deployed default is `false`.
   */
  externalAwsSdk: boolean;
}

export const BUNDLE: BundleSpec = {
  target: "node24",
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ["module", "main"],
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
  externalAwsSdk: false,
};

const SDK_EXTERNALS = ["@aws-sdk/*", "@smithy/*"];

const externals = (spec: BundleSpec) => (spec.externalAwsSdk ? SDK_EXTERNALS : []);

/** NodejsFunction's `bundling`: the local esbuild, never Docker; ESM (`index.mjs`). */
export function cdkBundling(spec: BundleSpec = BUNDLE): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: spec.target,
    minify: spec.minify,
    sourceMap: spec.sourceMap,
    sourcesContent: spec.sourcesContent,
    mainFields: spec.mainFields,
    banner: spec.banner,
    externalModules: externals(spec),
  };
}

/** The same build through esbuild's API: the flags NodejsFunction passes to its CLI. */
export function esbuildOptions(
  entry: string,
  outfile: string,
  spec: BundleSpec = BUNDLE,
): BuildOptions {
  return {
    entryPoints: [resolve(PROJECT_ROOT, entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: spec.target,
    minify: spec.minify,
    sourcemap: spec.sourceMap,
    sourcesContent: spec.sourcesContent,
    mainFields: spec.mainFields,
    banner: { js: spec.banner },
    external: externals(spec),
    absWorkingDir: PROJECT_ROOT,
    logLevel: "warning",
    metafile: true,
  };
}

export interface BuiltBundle {
  /** The `index.mjs` to import. */
  file: string;
  metafile: Metafile;
}

/**
 * Bundles one entry into `outDir/index.mjs` (+ `.map`), as the CDK would.
 * With `externalAwsSdk`, `outDir` must be inside the repository so Node resolves the
 * SDK from node_modules, as the Lambda runtime resolves its own copy.
 */
export async function bundleEntry(
  entry: string,
  outDir: string,
  spec: BundleSpec = BUNDLE,
): Promise<BuiltBundle> {
  const { build } = await import("esbuild");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, "index.mjs");
  const result = await build(esbuildOptions(entry, file, spec));
  if (!result.metafile) throw new Error(`esbuild returned no metafile for ${entry}`);
  return { file, metafile: result.metafile };
}
