import { describe, expect, it } from "vitest";
import { loadDefaultPlanSteps } from "../../../shared/aftercare/plan-schema";
import { renderAftercareEmail } from "../../../shared/messages/aftercare-email";
import { renderConfirmation } from "../../../shared/messages/booking-emails";
import {
  buildRawEmail,
  type RawEmailInput,
  UnsafeHeaderError,
} from "../../../shared/messages/mime";

const base: RawEmailInput = {
  from: { name: "Face of Jules", address: "care@faceofjules.com" },
  to: "jane@example.com",
  subject: "Your aftercare plan",
  text: "Hello Jane,\n\nKeep skin clean and dry.",
  html: "<p>Hello Jane,</p><p>Keep skin clean and dry.</p>",
  listUnsubscribeUrl: "https://faceofjules.com/unsubscribe/tok_123",
  listUnsubscribeMailto: "mailto:unsubscribe@faceofjules.com?subject=unsubscribe",
  messageIdDomain: "faceofjules.com",
  date: new Date("2026-12-08T17:00:00Z"),
};

/** The header block, unfolded, as name → values. */
function headers(raw: string): Map<string, string[]> {
  const block = raw.slice(0, raw.indexOf("\r\n\r\n")).replace(/\r\n[ \t]+/g, " ");
  const map = new Map<string, string[]>();
  for (const line of block.split("\r\n")) {
    const i = line.indexOf(":");
    const key = line.slice(0, i).toLowerCase();
    map.set(key, [...(map.get(key) ?? []), line.slice(i + 1).trim()]);
  }
  return map;
}

function decodeParts(raw: string): { type: string; body: string }[] {
  const parts: { type: string; body: string }[] = [];
  for (const chunk of raw.split(/\r\n--[^\r\n]+\r\n/).slice(1)) {
    const end = chunk.indexOf("\r\n\r\n");
    if (end < 0) continue;
    const head = chunk.slice(0, end).replace(/\r\n[ \t]+/g, " ");
    const type = /content-type:\s*([^;\r\n]+)/i.exec(head)?.[1]?.trim() ?? "";
    const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(head)?.[1]?.toLowerCase();
    let body = chunk.slice(end + 4).replace(/\r\n--[^\r\n]*--\s*$/, "");
    if (encoding === "base64")
      body = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    if (encoding === "quoted-printable") {
      body = Buffer.from(
        body
          .replace(/=\r\n/g, "")
          .replace(/=([0-9A-F]{2})/g, (_, h: string) =>
            String.fromCharCode(Number.parseInt(h, 16)),
          ),
        "latin1",
      ).toString("utf8");
    }
    parts.push({ type, body });
  }
  return parts;
}

describe("buildRawEmail", () => {
  it("has a text and an HTML part and the one-click unsubscribe headers", async () => {
    const raw = (await buildRawEmail(base)).toString("utf8");
    const h = headers(raw);
    expect(h.get("list-unsubscribe")).toEqual([
      "<https://faceofjules.com/unsubscribe/tok_123>, <mailto:unsubscribe@faceofjules.com?subject=unsubscribe>",
    ]);
    expect(h.get("list-unsubscribe-post")).toEqual(["List-Unsubscribe=One-Click"]);
    expect(h.get("from")).toEqual(["Face of Jules <care@faceofjules.com>"]);
    expect(h.get("to")).toEqual(["jane@example.com"]);
    expect(h.get("subject")).toEqual(["Your aftercare plan"]);
    expect(h.get("message-id")?.[0]).toMatch(/^<[0-9a-f-]{36}@faceofjules\.com>$/);
    expect(h.get("content-type")?.[0]).toMatch(/^multipart\/alternative/);
    const parts = decodeParts(raw);
    expect(parts.map((p) => p.type)).toEqual(["text/plain", "text/html"]);
    expect(parts[0]?.body).toContain("Keep skin clean and dry.");
    expect(parts[1]?.body).toContain("<p>Keep skin clean and dry.</p>");
    // Every line of the message fits SMTP's limit.
    for (const line of raw.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
  });

  it("works with just the https unsubscribe URL", async () => {
    const { listUnsubscribeMailto: _m, ...rest } = base;
    const raw = (await buildRawEmail(rest)).toString("utf8");
    expect(headers(raw).get("list-unsubscribe")).toEqual([
      "<https://faceofjules.com/unsubscribe/tok_123>",
    ]);
  });

  it("carries a rendered aftercare email and a confirmation with its .ics attachment", async () => {
    const step = loadDefaultPlanSteps()[0];
    if (!step) throw new Error("no step");
    const aftercare = renderAftercareEmail(step, {
      patientName: "Zoë",
      clinicName: "Face of Jules",
      sessionDate: "2026-12-08",
      unsubscribeUrl: base.listUnsubscribeUrl,
    });
    const rawAftercare = (await buildRawEmail({ ...base, ...aftercare })).toString("utf8");
    const textPart = decodeParts(rawAftercare).find((p) => p.type === "text/plain");
    expect(textPart?.body).toContain("Hello Zoë,");

    const confirmation = renderConfirmation({
      patientName: "Jane",
      clinicName: "Face of Jules",
      treatmentName: "Microneedling",
      start: new Date("2026-12-08T21:00:00Z"),
      end: new Date("2026-12-08T22:00:00Z"),
      timezone: "America/Los_Angeles",
      manageUrl: "https://faceofjules.com/manage/abc",
      bookingId: "bk_1",
      sequence: 0,
      rescheduled: false,
      clinicEmail: "hello@faceofjules.com",
      patientEmail: "jane@example.com",
      now: new Date("2026-11-29T00:00:00Z"),
    });
    const raw = (await buildRawEmail({ ...base, ...confirmation })).toString("utf8");
    expect(headers(raw).get("content-type")?.[0]).toMatch(/^multipart\/mixed/);
    const parts = decodeParts(raw);
    expect(parts.map((p) => p.type)).toEqual(["text/plain", "text/html", "text/calendar"]);
    const ics = parts[2]?.body ?? "";
    expect(ics).toContain("BEGIN:VCALENDAR\r\n");
    expect(ics).toContain("DTSTART:20261208T210000Z\r\n");
    expect(raw).toMatch(
      /Content-Type: text\/calendar; charset=utf-8; method=REQUEST;\s+name=appointment\.ics/,
    );
    expect(raw).toContain("Content-Disposition: attachment; filename=appointment.ics");
  });

  it("encodes a non-ASCII subject and display name", async () => {
    const raw = (
      await buildRawEmail({
        ...base,
        subject: "Día 3: ça pèle — c'est normal",
        to: { name: "Zoë Ñ", address: "zoe@example.com" },
      })
    ).toString("utf8");
    const block = raw.slice(0, raw.indexOf("\r\n\r\n"));
    expect(/^[\x20-\x7e\r\n\t]*$/.test(block)).toBe(true);
    expect(headers(raw).get("subject")?.[0]).toMatch(/^=\?UTF-8\?[QB]\?/);
    expect(headers(raw).get("to")?.[0]).toMatch(/=\?UTF-8\?[QB]\?.*\?= <zoe@example\.com>/);
  });

  it("throws on CR or LF in any header value instead of passing it on", async () => {
    const cases: Partial<RawEmailInput>[] = [
      { subject: "Hello\r\nBcc: all@example.com" },
      { subject: "Hello\nX-Evil: 1" },
      { subject: "Hello\rX" },
      { to: "jane@example.com\r\nBcc: all@example.com" },
      { to: { name: "Jane\nBcc: x@example.com", address: "jane@example.com" } },
      { from: "care@faceofjules.com\nX: 1" },
      { listUnsubscribeUrl: "https://faceofjules.com/u\r\nX: 1" },
      { listUnsubscribeMailto: "mailto:u@faceofjules.com\nX: 1" },
      { messageIdDomain: "faceofjules.com\r\nX: 1" },
      { attachments: [{ filename: "a.ics\r\nX: 1", contentType: "text/calendar", content: "x" }] },
    ];
    for (const c of cases) {
      await expect(buildRawEmail({ ...base, ...c }), JSON.stringify(c)).rejects.toBeInstanceOf(
        UnsafeHeaderError,
      );
    }
  });

  it("refuses more than one recipient, a non-https unsubscribe URL and a bad mailto", async () => {
    await expect(buildRawEmail({ ...base, to: "a@example.com, b@example.com" })).rejects.toThrow(
      /exactly one/,
    );
    await expect(buildRawEmail({ ...base, to: "not an address" })).rejects.toThrow(/exactly one/);
    await expect(
      buildRawEmail({ ...base, listUnsubscribeUrl: "http://faceofjules.com/u" }),
    ).rejects.toThrow(/https/);
    await expect(
      buildRawEmail({ ...base, listUnsubscribeUrl: "javascript:alert(1)" }),
    ).rejects.toThrow(/https/);
    await expect(
      buildRawEmail({ ...base, listUnsubscribeMailto: "https://x.test" }),
    ).rejects.toThrow(/mailto/);
    // The local stack's loopback URL is allowed over http.
    await expect(
      buildRawEmail({ ...base, listUnsubscribeUrl: "http://localhost:3000/u/x" }),
    ).resolves.toBeInstanceOf(Buffer);
  });
});
