import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** The HMAC key of patients' links: from Secrets Manager once per cold start, or given. */
export async function readLinkSecret(config: {
  LINK_SECRET_ID?: string | undefined;
  LINK_SECRET?: string | undefined;
}): Promise<string> {
  if (Boolean(config.LINK_SECRET) === Boolean(config.LINK_SECRET_ID)) {
    throw new Error("Invalid configuration: set exactly one of LINK_SECRET_ID and LINK_SECRET");
  }
  if (config.LINK_SECRET) return config.LINK_SECRET;
  const out = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: config.LINK_SECRET_ID }),
  );
  if (!out.SecretString) throw new Error("The link secret is empty");
  return out.SecretString;
}
