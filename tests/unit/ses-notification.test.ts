import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { suppressionsIn } from "../../functions/ses-events/ses-notification";

/**
 * The SES → SNS messages the `ses-events` function reads. The shapes follow the
 * SES developer guide: identity notifications carry `notificationType`, event
 * publishing (configuration sets) carries `eventType` and the message's tags.
 */

const mail = (tags?: Record<string, string[]>) => ({
  timestamp: "2026-11-02T17:00:01.000Z",
  source: "Face of Jules <hello@faceofjules.test>",
  sourceArn: "arn:aws:ses:us-west-2:123456789012:identity/faceofjules.test",
  sendingAccountId: "123456789012",
  messageId: "0101019a2b3c4d5e-6f708192-a3b4-4c5d-8e9f-0a1b2c3d4e5f-000000",
  destination: ["ana@example.com"],
  headersTruncated: false,
  commonHeaders: {
    from: ["Face of Jules <hello@faceofjules.test>"],
    to: ["ana@example.com"],
    subject: "Day 2: gentle cleansing and mineral SPF",
  },
  ...(tags ? { tags } : {}),
});

/** Event publishing (a configuration set with an SNS destination). */
function publishedBounce(bounce: Record<string, unknown>, tags = TAGS) {
  return JSON.stringify({ eventType: "Bounce", bounce, mail: mail(tags) });
}

const TAGS = {
  "ses:configuration-set": ["clinic-mail"],
  "ses:source-ip": ["203.0.113.7"],
  "ses:from-domain": ["faceofjules.test"],
  "ses:caller-identity": ["clinic-followups"],
  locationId: ["face-of-jules"],
  followUp: ["aftercare"],
};

const permanent = {
  bounceType: "Permanent",
  bounceSubType: "General",
  bouncedRecipients: [
    {
      emailAddress: "ana@example.com",
      action: "failed",
      status: "5.1.1",
      diagnosticCode: "smtp; 550 5.1.1 user unknown",
    },
  ],
  timestamp: "2026-11-02T17:00:02.000Z",
  feedbackId: "0101019a2b3c4d5e-feedback-000000",
  reportingMTA: "dsn; a8-70.smtp-out.amazonses.com",
};

describe("suppressionsIn", () => {
  it("a permanent bounce (event publishing) suppresses each recipient, with the location from the tags", () => {
    const message = publishedBounce({
      ...permanent,
      bouncedRecipients: [
        ...permanent.bouncedRecipients,
        { emailAddress: "Bo.Second@Example.COM", action: "failed", status: "5.1.1" },
      ],
    });
    expect(suppressionsIn(message)).toEqual([
      {
        email: "ana@example.com",
        reason: "Permanent bounce (General)",
        locationId: "face-of-jules",
      },
      {
        email: "bo.second@example.com",
        reason: "Permanent bounce (General)",
        locationId: "face-of-jules",
      },
    ]);
  });

  it("names the bounce sub-type in the reason (an address on the SES suppression list)", () => {
    const message = publishedBounce({ ...permanent, bounceSubType: "Suppressed" });
    expect(suppressionsIn(message)).toEqual([
      {
        email: "ana@example.com",
        reason: "Permanent bounce (Suppressed)",
        locationId: "face-of-jules",
      },
    ]);
  });

  it("a permanent bounce without a sub-type reads as General", () => {
    const { bounceSubType: _omitted, ...noSub } = permanent;
    expect(suppressionsIn(publishedBounce(noSub))[0]?.reason).toBe("Permanent bounce (General)");
  });

  it("an identity notification (notificationType) has no tags: no locationId", () => {
    const message = JSON.stringify({
      notificationType: "Bounce",
      bounce: permanent,
      mail: mail(),
    });
    expect(suppressionsIn(message)).toEqual([
      { email: "ana@example.com", reason: "Permanent bounce (General)" },
    ]);
  });

  it("transient and undetermined bounces suppress nothing (a full mailbox comes back)", () => {
    for (const [bounceType, bounceSubType] of [
      ["Transient", "MailboxFull"],
      ["Transient", "General"],
      ["Transient", "MessageTooLarge"],
      ["Undetermined", "Undetermined"],
    ]) {
      expect(suppressionsIn(publishedBounce({ ...permanent, bounceType, bounceSubType }))).toEqual(
        [],
      );
      expect(
        suppressionsIn(
          JSON.stringify({
            notificationType: "Bounce",
            bounce: { ...permanent, bounceType, bounceSubType },
            mail: mail(),
          }),
        ),
      ).toEqual([]);
    }
  });

  it("a complaint suppresses, in both shapes", () => {
    const complaint = {
      userAgent: "Yahoo!-Mail-Feedback/2.0",
      complainedRecipients: [{ emailAddress: "ana@example.com" }],
      complaintFeedbackType: "abuse",
      arrivalDate: "2026-11-02T17:05:00.000Z",
      timestamp: "2026-11-02T17:05:01.000Z",
      feedbackId: "0101019a2b3c4d5e-complaint-000000",
    };
    expect(
      suppressionsIn(JSON.stringify({ notificationType: "Complaint", complaint, mail: mail() })),
    ).toEqual([{ email: "ana@example.com", reason: "Complaint (marked as spam)" }]);
    expect(
      suppressionsIn(JSON.stringify({ eventType: "Complaint", complaint, mail: mail(TAGS) })),
    ).toEqual([
      {
        email: "ana@example.com",
        reason: "Complaint (marked as spam)",
        locationId: "face-of-jules",
      },
    ]);
  });

  it("deliveries, sends, opens, clicks, rejects and delays suppress nothing", () => {
    for (const eventType of [
      "Delivery",
      "Send",
      "Open",
      "Click",
      "Reject",
      "DeliveryDelay",
      "Rendering Failure",
      "Subscription",
    ]) {
      expect(
        suppressionsIn(
          JSON.stringify({
            eventType,
            delivery: { recipients: ["ana@example.com"] },
            mail: mail(TAGS),
          }),
        ),
      ).toEqual([]);
    }
    expect(suppressionsIn(JSON.stringify({ notificationType: "Delivery", mail: mail() }))).toEqual(
      [],
    );
  });

  it('reads "Name" <a@b> and Name <a@b> recipients, trimmed and lower-cased', () => {
    const recipients = [
      '"Ana Ruiz" <Ana@Example.com>',
      "Bo <bo@example.com>",
      '"Ruiz, Ana" <ana.r@example.com>',
      "  carl@example.com  ",
      "DEE@EXAMPLE.COM",
    ].map((emailAddress) => ({ emailAddress, action: "failed" }));
    const out = suppressionsIn(publishedBounce({ ...permanent, bouncedRecipients: recipients }));
    expect(out.map((s) => s.email)).toEqual([
      "ana@example.com",
      "bo@example.com",
      "ana.r@example.com",
      "carl@example.com",
      "dee@example.com",
    ]);
  });

  it("recipients that are not an address are left out, the others kept", () => {
    const recipients = [
      { emailAddress: "no-at-sign" },
      { emailAddress: "two words@example.com" },
      { emailAddress: "" },
      {},
      { emailAddress: "kept@example.com" },
    ];
    const out = suppressionsIn(publishedBounce({ ...permanent, bouncedRecipients: recipients }));
    expect(out.map((s) => s.email)).toEqual(["kept@example.com"]);
  });

  it("text that is not JSON gives nothing", () => {
    for (const message of [undefined, "", "not json", "{", '{"eventType":"Bounce"', "<xml/>"]) {
      expect(suppressionsIn(message)).toEqual([]);
    }
  });

  it("JSON that is not an SES event gives nothing", () => {
    for (const message of ["[]", "42", "true", '"Bounce"', "{}", '{"eventType":42}']) {
      expect(suppressionsIn(message)).toEqual([]);
    }
  });

  // BUG: JSON.parse("null") is null and `event.eventType` throws a TypeError, which
  // fails the whole SNS batch (every other record in it is then retried).
  it("the JSON value null gives nothing (does not throw)", () => {
    expect(() => suppressionsIn("null")).not.toThrow();
    expect(suppressionsIn("null")).toEqual([]);
  });

  it("missing fields give nothing, never an exception", () => {
    const messages = [
      { eventType: "Bounce" },
      { eventType: "Bounce", bounce: {} },
      { eventType: "Bounce", bounce: { bounceType: "Permanent" } },
      { eventType: "Bounce", bounce: { bounceType: "Permanent", bouncedRecipients: [] } },
      { eventType: "Bounce", bounce: { bounceType: "Permanent", bouncedRecipients: null } },
      { notificationType: "Complaint" },
      { notificationType: "Complaint", complaint: {} },
      { notificationType: "Complaint", complaint: { complainedRecipients: [] } },
      { bounce: permanent },
    ];
    for (const m of messages) expect(suppressionsIn(JSON.stringify(m))).toEqual([]);
  });

  it("without mail, tags or a locationId tag the suppression has no location", () => {
    const variants = [
      { eventType: "Bounce", bounce: permanent },
      { eventType: "Bounce", bounce: permanent, mail: {} },
      { eventType: "Bounce", bounce: permanent, mail: { tags: {} } },
      { eventType: "Bounce", bounce: permanent, mail: { tags: { locationId: [] } } },
    ];
    for (const v of variants) {
      expect(suppressionsIn(JSON.stringify(v))).toEqual([
        { email: "ana@example.com", reason: "Permanent bounce (General)" },
      ]);
    }
  });

  it("a locationId tag that is not a location id is ignored (all locations are then stopped)", () => {
    for (const locationId of [
      "Face-Of-Jules",
      "face of jules",
      "x".repeat(65),
      "face-of-jules#PATIENT",
      "",
      "../other",
    ]) {
      const out = suppressionsIn(publishedBounce(permanent, { ...TAGS, locationId: [locationId] }));
      expect(out).toEqual([{ email: "ana@example.com", reason: "Permanent bounce (General)" }]);
    }
    const second = suppressionsIn(
      publishedBounce(permanent, { ...TAGS, locationId: ["clinic-2", "face-of-jules"] }),
    );
    expect(second[0]?.locationId).toBe("clinic-2");
  });

  // BUG (same cause as null above): a field of the wrong type throws instead of
  // being ignored, e.g. `complainedRecipients: {}` or `bouncedRecipients: [null]`.
  it("property: any SES-shaped message with fields of any type never throws", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("eventType", "notificationType"),
        fc.constantFrom("Bounce", "Complaint"),
        fc.anything(),
        fc.anything(),
        fc.anything(),
        (typeKey, type, recipients, bounceType, tags) => {
          const message = JSON.stringify({
            [typeKey]: type,
            bounce: { bounceType, bouncedRecipients: recipients },
            complaint: { complainedRecipients: recipients },
            mail: { tags },
          });
          expect(() => suppressionsIn(message)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
