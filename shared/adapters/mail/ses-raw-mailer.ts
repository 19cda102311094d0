import { type SESClient, SendRawEmailCommand } from "@aws-sdk/client-ses";
import { MailError, type RawMailer } from "../../ports";

const REJECTED = new Set([
  "MessageRejected",
  "MailFromDomainNotVerifiedException",
  "ConfigurationSetDoesNotExistException",
  "ConfigurationSetSendingPausedException",
  "AccountSendingPausedException",
  "InvalidParameterValue",
]);
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNRESET_BEFORE_SEND",
]);

/**
 * SES SendRawEmail. The client must be built with `maxAttempts: 1`: whether to try
 * again is decided here, because a request that timed out may have been accepted
 * and sending it again would be a second email.
 */
export class SesRawMailer implements RawMailer {
  constructor(
    private readonly client: SESClient,
    private readonly configurationSet?: string,
  ) {}

  async sendRaw(message: { to: string; raw: Uint8Array; tags: Record<string, string> }) {
    try {
      const out = await this.client.send(
        new SendRawEmailCommand({
          Destinations: [message.to],
          RawMessage: { Data: message.raw },
          Tags: Object.entries(message.tags).map(([Name, Value]) => ({ Name, Value })),
          ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
        }),
      );
      if (!out.MessageId) throw new MailError("unknown", "SES answered without a message id");
      return { messageId: out.MessageId };
    } catch (error) {
      throw classify(error);
    }
  }
}

export function classify(error: unknown): MailError {
  if (error instanceof MailError) return error;
  const e = (error ?? {}) as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
  };
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? "";
  if (REJECTED.has(name)) return new MailError("rejected", name, { cause: error });
  if (e.$retryable?.throttling || /Throttl|TooManyRequests/.test(name) || status === 429) {
    return new MailError("retryable", name || "throttled", { cause: error });
  }
  if (status !== undefined && status >= 500) {
    return new MailError("retryable", `${name || "server error"} (${status})`, { cause: error });
  }
  if (e.code && NOT_SENT_CODES.has(e.code)) {
    return new MailError("retryable", e.code, { cause: error });
  }
  if (status !== undefined && status >= 400) {
    return new MailError("rejected", `${name} (${status})`, { cause: error });
  }
  // A timeout or a broken connection after the request left: SES may have accepted it.
  return new MailError("unknown", name || "no answer", { cause: error });
}
