import { z } from "zod";

/**
 * Typed, validated configuration of the deployed functions, read once by the
 * entry points (never by domain or adapters). A missing or bad variable fails the
 * cold start with a message naming it.
 */
const ApiConfig = z.object({
  TABLE_NAME: z.string().min(1),
  LOCATION_ID: z.string().regex(/^[a-z0-9-]{1,64}$/),
  PUBLIC_BASE_URL: z.url().refine((u) => !u.endsWith("/"), "No trailing slash"),
  /** Secrets Manager id of the HMAC key for patients' links (read once per cold start)... */
  LINK_SECRET_ID: z.string().min(1).optional(),
  /** ...or the key itself, where there is no Secrets Manager (tests of the bundle). */
  LINK_SECRET: z.string().min(32).optional(),
  COGNITO_ISSUER: z.url(),
  COGNITO_CLIENT_ID: z.string().min(1),
  MAIL_FROM: z.string().min(3),
  SES_CONFIGURATION_SET: z.string().optional(),
  LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
});

export type ApiConfig = z.infer<typeof ApiConfig>;

/** Where the follow-ups' one-time schedules go (api and followups both create them). */
const SchedulerConfig = z.object({
  SCHEDULE_GROUP: z.string().min(1),
  FOLLOWUPS_FUNCTION_ARN: z.string().startsWith("arn:"),
  SCHEDULER_ROLE_ARN: z.string().startsWith("arn:"),
  SCHEDULER_DLQ_ARN: z.string().startsWith("arn:"),
});

const FollowUpsConfig = ApiConfig.omit({
  COGNITO_ISSUER: true,
  COGNITO_CLIENT_ID: true,
  LOCATION_ID: true,
}).extend(SchedulerConfig.shape);

const SesEventsConfig = z.object({
  TABLE_NAME: z.string().min(1),
  /** Locations whose patients a suppressed address belongs to, comma-separated. */
  LOCATION_IDS: z.string().regex(/^[a-z0-9-]{1,64}(,[a-z0-9-]{1,64})*$/),
  LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
});

function read<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}

export const readApiConfig = (env: Record<string, string | undefined>) =>
  read(ApiConfig.extend(SchedulerConfig.shape), env);
export const readFollowUpsConfig = (env: Record<string, string | undefined>) =>
  read(FollowUpsConfig, env);
export const readSesEventsConfig = (env: Record<string, string | undefined>) =>
  read(SesEventsConfig, env);
