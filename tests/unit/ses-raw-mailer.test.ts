import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  AccountSendingPausedException,
  ConfigurationSetDoesNotExistException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  SESClient,
  SESServiceException,
  SendRawEmailCommand,
} from "@aws-sdk/client-ses";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { classify, SesRawMailer } from "../../shared/adapters/mail/ses-raw-mailer";
import { MailError, type MailFailure } from "../../shared/ports";

/**
 * How the SES sender names a failure decides whether the follow-up is sent again:
 * "retryable" only when SES surely did not accept the message, "unknown" when it
 * may have (sending again could be a second email), "rejected" when it never will.
 */

const message = {
  to: "ana@example.com",
  raw: new TextEncoder().encode("From: a@b\r\nTo: ana@example.com\r\n\r\nhello"),
  tags: { locationId: "face-of-jules", followUp: "aftercare" },
};

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

function serviceError(name: string, status: number | undefined, extra: object = {}) {
  return Object.assign(
    new SESServiceException({
      name,
      $fault: status !== undefined && status >= 500 ? "server" : "client",
      $metadata: status === undefined ? {} : { httpStatusCode: status },
      message: `${name} happened`,
    }),
    extra,
  );
}

function networkError(code: string, name = "Error") {
  return Object.assign(new Error(`connect ${code} 203.0.113.1:443`), {
    name,
    code,
    $metadata: { attempts: 1, totalRetryDelay: 0 },
  });
}

describe("SesRawMailer with a mocked SES client", () => {
  const client = new SESClient({ region: "us-west-2", credentials, maxAttempts: 1 });
  const ses = mockClient(client);
  afterEach(() => ses.reset());
  afterAll(() => ses.restore());

  it("sends the raw message to the one recipient with the tags, and returns the message id", async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: "0101019a-abc" });
    const out = await new SesRawMailer(client).sendRaw(message);
    expect(out).toEqual({ messageId: "0101019a-abc" });
    const calls = ses.commandCalls(SendRawEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      Destinations: ["ana@example.com"],
      RawMessage: { Data: message.raw },
      Tags: [
        { Name: "locationId", Value: "face-of-jules" },
        { Name: "followUp", Value: "aftercare" },
      ],
    });
  });

  it("names the configuration set when given one (event publishing of bounces)", async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: "m-1" });
    await new SesRawMailer(client, "clinic-mail").sendRaw(message);
    expect(ses.commandCalls(SendRawEmailCommand)[0]?.args[0].input.ConfigurationSetName).toBe(
      "clinic-mail",
    );
  });

  it("an answer without a message id is an unknown outcome", async () => {
    ses.on(SendRawEmailCommand).resolves({});
    const error = await new SesRawMailer(client).sendRaw(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailError);
    expect((error as MailError).failure).toBe("unknown");
  });

  const cases: [string, () => unknown, MailFailure][] = [
    [
      "MessageRejected (400)",
      () => new MessageRejected({ message: "Email address is not verified.", $metadata: {} }),
      "rejected",
    ],
    [
      "MailFromDomainNotVerifiedException",
      () =>
        new MailFromDomainNotVerifiedException({
          message: "not verified",
          $metadata: { httpStatusCode: 400 },
        }),
      "rejected",
    ],
    [
      "ConfigurationSetDoesNotExistException",
      () =>
        new ConfigurationSetDoesNotExistException({
          message: "no such set",
          $metadata: { httpStatusCode: 400 },
        }),
      "rejected",
    ],
    [
      "AccountSendingPausedException",
      () =>
        new AccountSendingPausedException({
          message: "paused",
          $metadata: { httpStatusCode: 400 },
        }),
      "rejected",
    ],
    // SES answers "Maximum sending rate exceeded." as a 400 named Throttling.
    ["Throttling (400)", () => serviceError("Throttling", 400), "retryable"],
    ["ThrottlingException (400)", () => serviceError("ThrottlingException", 400), "retryable"],
    ["TooManyRequestsException", () => serviceError("TooManyRequestsException", 400), "retryable"],
    [
      "a 400 the SDK marks as throttling",
      () => serviceError("LimitExceeded", 400, { $retryable: { throttling: true } }),
      "retryable",
    ],
    ["any 429", () => serviceError("SlowDown", 429), "retryable"],
    ["InternalFailure (500)", () => serviceError("InternalFailure", 500), "retryable"],
    ["ServiceUnavailable (503)", () => serviceError("ServiceUnavailable", 503), "retryable"],
    ["a 5xx without a name", () => serviceError("", 502), "retryable"],
    ["ECONNREFUSED (never connected)", () => networkError("ECONNREFUSED"), "retryable"],
    ["ENOTFOUND (no DNS answer)", () => networkError("ENOTFOUND"), "retryable"],
    ["EAI_AGAIN", () => networkError("EAI_AGAIN"), "retryable"],
    ["InvalidParameterValue (400)", () => serviceError("InvalidParameterValue", 400), "rejected"],
    ["AccessDenied (403)", () => serviceError("AccessDenied", 403), "rejected"],
    ["SignatureDoesNotMatch (403)", () => serviceError("SignatureDoesNotMatch", 403), "rejected"],
    ["ValidationError (400)", () => serviceError("ValidationError", 400), "rejected"],
    // The request left: SES may have accepted it.
    ["TimeoutError without a status", () => networkError("ETIMEDOUT", "TimeoutError"), "unknown"],
    ["ECONNRESET after sending", () => networkError("ECONNRESET"), "unknown"],
    ["EPIPE", () => networkError("EPIPE"), "unknown"],
    ["an AbortError", () => Object.assign(new Error("aborted"), { name: "AbortError" }), "unknown"],
    ["a plain Error", () => new Error("socket hang up"), "unknown"],
    ["a thrown string", () => "boom", "unknown"],
  ];

  it.each(cases)("%s → %s", async (_label, make, expected) => {
    const thrown = make();
    ses.on(SendRawEmailCommand).rejects(thrown as Error);
    const error = await new SesRawMailer(client).sendRaw(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailError);
    expect((error as MailError).failure).toBe(expected);
    // The SDK error stays reachable for logs and debugging.
    if (typeof thrown === "object") expect((error as MailError).cause).toBe(thrown);
    // Exactly one attempt: retrying is the caller's decision.
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(1);
  });
});

describe("classify", () => {
  it("passes a MailError through unchanged", () => {
    const e = new MailError("rejected", "already classified");
    expect(classify(e)).toBe(e);
  });

  it("a rejection wins over the status; throttling wins over the 4xx status", () => {
    expect(classify(serviceError("MessageRejected", 500)).failure).toBe("rejected");
    expect(classify(serviceError("Throttling", 400)).failure).toBe("retryable");
  });
});

/**
 * Real SDK errors, from a tiny HTTP server standing in for SES: the error shapes
 * classify relies on (status, name, code) are what SESClient actually throws.
 */
describe("SesRawMailer against a stand-in SES endpoint", () => {
  let server: Server;
  let endpoint = "";
  let respond: (res: import("node:http").ServerResponse) => void = () => {};
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on("end", () => respond(res));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  afterEach(() => {
    requests = 0;
  });

  const mailer = (options: { requestTimeout?: number; endpoint?: string } = {}) =>
    new SesRawMailer(
      new SESClient({
        region: "us-west-2",
        credentials,
        endpoint: options.endpoint ?? endpoint,
        maxAttempts: 1,
        // This SDK only warns on a request timeout unless told to throw.
        ...(options.requestTimeout
          ? {
              requestHandler: {
                requestTimeout: options.requestTimeout,
                throwOnRequestTimeout: true,
              },
            }
          : {}),
      }),
    );

  const xmlError = (res: import("node:http").ServerResponse, status: number, code: string) => {
    res.writeHead(status, { "content-type": "text/xml" });
    res.end(
      `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${code} message</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
    );
  };

  const failureOf = async (m: SesRawMailer) => {
    const error = await m.sendRaw(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailError);
    return (error as MailError).failure;
  };

  it("a success answer gives its MessageId", async () => {
    respond = (res) => {
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(
        '<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>m-42</MessageId></SendRawEmailResult></SendRawEmailResponse>',
      );
    };
    expect(await mailer().sendRaw(message)).toEqual({ messageId: "m-42" });
  });

  it("SES's Throttling answer (400) is retryable", async () => {
    respond = (res) => xmlError(res, 400, "Throttling");
    expect(await failureOf(mailer())).toBe("retryable");
    expect(requests).toBe(1);
  });

  it("MessageRejected (400) is rejected", async () => {
    respond = (res) => xmlError(res, 400, "MessageRejected");
    expect(await failureOf(mailer())).toBe("rejected");
  });

  it("a 500 is retryable", async () => {
    respond = (res) => xmlError(res, 500, "InternalFailure");
    expect(await failureOf(mailer())).toBe("retryable");
  });

  it("no answer within the timeout (the request was sent) is unknown, and sent once", async () => {
    respond = () => {}; // never answers
    expect(await failureOf(mailer({ requestTimeout: 300 }))).toBe("unknown");
    expect(requests).toBe(1);
  });

  it("a connection closed after the request arrived is unknown", async () => {
    respond = (res) => res.socket?.destroy();
    expect(await failureOf(mailer())).toBe("unknown");
  });

  it("a refused connection (nothing listening) is retryable: SES never saw it", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await failureOf(mailer({ endpoint: `http://127.0.0.1:${port}` }))).toBe("retryable");
  });
});
