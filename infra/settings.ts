import type { Node } from "constructs";

/**
 * What a deployment is parameterised by, read from CDK context (`-c key=value`).
 * Synth works offline with no credentials: account and region fall back to the
 * CLI's defaults, then to fixed placeholders.
 */
export interface DeploySettings {
  stage: string;
  account: string;
  region: string;
  /** The clinic (location) the `api` function serves. */
  locationId: string;
  /** Where patients' links point; no trailing slash. */
  publicBaseUrl: string;
  /** The SES domain identity mail is sent from. */
  mailDomain: string;
  /** The From header, an address in `mailDomain`. */
  mailFrom: string;
  /** Subscribed to the alarm topic when given. */
  alarmEmail: string | undefined;
  logLevel: "DEBUG" | "INFO" | "WARN" | "ERROR";
}

export const PLACEHOLDER_ENV = { account: "111111111111", region: "us-west-2" } as const;

const STAGE = /^[a-z][a-z0-9-]{0,19}$/;
const LOCATION = /^[a-z0-9-]{1,64}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;

/** Reads and checks the context; a bad value fails synth with the key's name. */
export function readSettings(node: Node, env: NodeJS.ProcessEnv = process.env): DeploySettings {
  const get = (key: string): string | undefined => {
    const value = node.tryGetContext(key);
    return value === undefined || value === null || value === "" ? undefined : String(value);
  };
  const fail = (key: string, why: string): never => {
    throw new Error(`Invalid context "${key}": ${why}`);
  };

  const stage = get("stage") ?? "dev";
  if (!STAGE.test(stage)) fail("stage", "lowercase letters, digits and dashes, up to 20");
  const locationId = get("locationId") ?? "face-of-jules";
  if (!LOCATION.test(locationId)) fail("locationId", "lowercase letters, digits and dashes");
  const mailDomain = (get("mailDomain") ?? "example.com").toLowerCase();
  if (!DOMAIN.test(mailDomain)) fail("mailDomain", "a domain name such as clinic.com");
  const mailFrom = get("mailFrom") ?? `Face of Jules <no-reply@${mailDomain}>`;
  const fromAddress = mailFrom.match(/<([^<>]+)>$/)?.[1] ?? mailFrom;
  if (!fromAddress.toLowerCase().endsWith(`@${mailDomain}`)) {
    fail("mailFrom", `the address must be in mailDomain (${mailDomain})`);
  }
  const publicBaseUrl = get("publicBaseUrl") ?? `https://booking.${mailDomain}`;
  if (!/^https:\/\/[^/\s]+(\/[^\s]*[^/\s])?$/.test(publicBaseUrl)) {
    fail("publicBaseUrl", "an https:// URL without a trailing slash");
  }
  const logLevel = (get("logLevel") ?? "INFO").toUpperCase() as DeploySettings["logLevel"];
  if (!LEVELS.includes(logLevel)) fail("logLevel", LEVELS.join(", "));
  const alarmEmail = get("alarmEmail");
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail)) {
    fail("alarmEmail", "an email address");
  }

  return {
    stage,
    account: get("account") ?? env.CDK_DEFAULT_ACCOUNT ?? PLACEHOLDER_ENV.account,
    region: get("region") ?? env.CDK_DEFAULT_REGION ?? PLACEHOLDER_ENV.region,
    locationId,
    publicBaseUrl,
    mailDomain,
    mailFrom,
    alarmEmail,
    logLevel,
  };
}

/** Names fixed per stage (the ones other resources must know before deployment). */
export const names = (stage: string) => ({
  dataStack: `Clinic-${stage}-Data`,
  appStack: `Clinic-${stage}-App`,
  function: (key: string) => `clinic-${stage}-${key}`,
  scheduleGroup: `clinic-${stage}-followups`,
  configurationSet: `clinic-${stage}`,
});
