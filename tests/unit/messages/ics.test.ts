import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AppointmentIcsInput,
  appointmentIcs,
  escapeIcsText,
  foldIcsLine,
} from "../../../shared/messages/ics";

const base: AppointmentIcsInput = {
  uid: "bk_123@faceofjules.com",
  sequence: 2,
  start: new Date("2026-12-08T21:00:00Z"),
  end: new Date("2026-12-08T22:00:00Z"),
  summary: "Appointment at Face of Jules",
  description:
    "Microneedling at Face of Jules.\nTo reschedule or cancel: https://faceofjules.com/m/abc",
  location: "Face of Jules, 123 Main St, Los Angeles; CA",
  url: "https://faceofjules.com/m/abc?sig=x,y",
  organizerName: 'Face of "Jules"',
  organizerEmail: "care@faceofjules.com",
  attendee: { name: "Jane Doe", email: "jane@example.com" },
  method: "REQUEST",
  dtstamp: new Date("2026-11-29T12:34:56.789Z"),
};

const EXPECTED = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//clinic-booking//appointments//EN",
  "CALSCALE:GREGORIAN",
  "METHOD:REQUEST",
  "BEGIN:VEVENT",
  "UID:bk_123@faceofjules.com",
  "SEQUENCE:2",
  "DTSTAMP:20261129T123456Z",
  "DTSTART:20261208T210000Z",
  "DTEND:20261208T220000Z",
  "SUMMARY:Appointment at Face of Jules",
  "DESCRIPTION:Microneedling at Face of Jules.\\nTo reschedule or cancel: https",
  " ://faceofjules.com/m/abc",
  "LOCATION:Face of Jules\\, 123 Main St\\, Los Angeles\\; CA",
  "URL:https://faceofjules.com/m/abc?sig=x,y",
  "ORGANIZER;CN=\"Face of 'Jules'\":mailto:care@faceofjules.com",
  'ATTENDEE;CN="Jane Doe";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE:ma',
  " ilto:jane@example.com",
  "STATUS:CONFIRMED",
  "TRANSP:OPAQUE",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");

/** Unfolds content lines (RFC 5545 3.1) and returns them. */
function unfold(ics: string): string[] {
  return ics.replace(/\r\n /g, "").split("\r\n");
}

describe("appointmentIcs", () => {
  it("produces the exact expected calendar", () => {
    expect(appointmentIcs(base)).toBe(EXPECTED);
  });

  it("is well-formed: CRLF only, BEGIN/END, UTC times, escaped commas, status", () => {
    const ics = appointmentIcs(base);
    expect(ics.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    const lines = unfold(ics);
    expect(lines[0]).toBe("BEGIN:VCALENDAR");
    expect(lines).toContain("BEGIN:VEVENT");
    expect(lines.find((l) => l.startsWith("DTSTART"))).toMatch(/^DTSTART:\d{8}T\d{6}Z$/);
    expect(lines.find((l) => l.startsWith("DTEND"))).toMatch(/^DTEND:\d{8}T\d{6}Z$/);
    expect(lines.find((l) => l.startsWith("DTSTAMP"))).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/);
    expect(lines.find((l) => l.startsWith("LOCATION"))).toContain("Jules\\, 123 Main St\\,");
    expect(lines).toContain("STATUS:CONFIRMED");
    const cancel = unfold(appointmentIcs({ ...base, method: "CANCEL" }));
    expect(cancel).toContain("METHOD:CANCEL");
    expect(cancel).toContain("STATUS:CANCELLED");
  });

  it("folds every line at 75 octets without splitting a UTF-8 character", () => {
    const ics = appointmentIcs({
      ...base,
      summary: "Rendez-vous chez Face of Jules — séance de soin 💆‍♀️ ".repeat(6),
      description: "Café, crème, été; 日本語のテキスト\n".repeat(10),
    });
    for (const line of ics.split("\r\n")) {
      expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
      expect(line).not.toContain("\uFFFD");
      expect(Buffer.from(line, "utf8").toString("utf8")).toBe(line);
    }
    const summary = unfold(ics).find((l) => l.startsWith("SUMMARY:"));
    expect(summary).toBe(
      `SUMMARY:${escapeIcsText("Rendez-vous chez Face of Jules — séance de soin 💆‍♀️ ".repeat(6))}`,
    );
  });

  it("property: folding then unfolding gives the line back, within 75 octets", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (s) => {
        const line = `DESCRIPTION:${escapeIcsText(s)}`;
        const folded = foldIcsLine(line);
        const parts = folded.split("\r\n");
        return (
          parts.every((p) => Buffer.byteLength(p, "utf8") <= 75) &&
          folded.replace(/\r\n /g, "") === line
        );
      }),
    );
  });

  it("escapes text so a hostile value cannot add a property", () => {
    const ics = appointmentIcs({
      ...base,
      summary: "x\r\nATTENDEE:mailto:evil@example.com",
      description: "a\\b;c,d\re\nf",
    });
    const lines = unfold(ics);
    expect(lines.filter((l) => l.startsWith("ATTENDEE"))).toEqual([
      'ATTENDEE;CN="Jane Doe";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:jane@example.com',
    ]);
    expect(lines).toContain("SUMMARY:x\\nATTENDEE:mailto:evil@example.com");
    expect(lines).toContain("DESCRIPTION:a\\\\b\\;c\\,d\\ne\\nf");
  });

  it("refuses a non-http URL, an end before the start and a bad sequence", () => {
    expect(() => appointmentIcs({ ...base, url: "javascript:alert(1)" })).toThrow(RangeError);
    expect(() => appointmentIcs({ ...base, url: "https://x.test/\r\nX:1" })).toThrow(RangeError);
    expect(() => appointmentIcs({ ...base, end: base.start })).toThrow(RangeError);
    expect(() => appointmentIcs({ ...base, sequence: -1 })).toThrow(RangeError);
    expect(() => appointmentIcs({ ...base, organizerEmail: "a@b\r\nX:1" })).toThrow(RangeError);
    expect(() => appointmentIcs({ ...base, attendee: { name: "J", email: "j@x\r\nX:1" } })).toThrow(
      RangeError,
    );
  });

  it("an invitation (REQUEST, CANCEL) names organizer and attendee; a PUBLISH invites nobody", () => {
    const { attendee: _, organizerEmail: __, ...anonymous } = base;
    for (const method of ["REQUEST", "CANCEL"] as const) {
      expect(() => appointmentIcs({ ...base, method, attendee: undefined })).toThrow(/attendee/);
      expect(() => appointmentIcs({ ...anonymous, method })).toThrow(RangeError);
    }
    const published = unfold(appointmentIcs({ ...base, method: "PUBLISH" }));
    expect(published).toContain("METHOD:PUBLISH");
    expect(published.some((l) => l.startsWith("ATTENDEE"))).toBe(false);
    expect(published.some((l) => l.startsWith("ORGANIZER"))).toBe(true);
    expect(unfold(appointmentIcs({ ...anonymous, method: "PUBLISH" }))).toContain("METHOD:PUBLISH");
  });

  it("gives the same bytes whatever the process timezone (child processes)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ics-tz-"));
    try {
      const icsModule = fileURLToPath(new URL("../../../shared/messages/ics.ts", import.meta.url));
      const bookingModule = fileURLToPath(
        new URL("../../../shared/messages/booking-emails.ts", import.meta.url),
      );
      const script = join(dir, "print.mts");
      writeFileSync(
        script,
        `import { appointmentIcs } from ${JSON.stringify(icsModule)};
import { renderConfirmation } from ${JSON.stringify(bookingModule)};
const start = new Date(2026, 11, 8, 13, 0); // local-time constructor: differs per TZ on purpose
const ics = appointmentIcs({
  uid: "u@x", sequence: 0, summary: "S", description: "D", url: "https://x.test/m",
  organizerName: "C", organizerEmail: "c@x.test", attendee: { name: "J", email: "j@x.test" },
  method: "REQUEST", dtstamp: new Date("2026-11-29T00:00:00Z"),
  start: new Date("2026-03-08T17:30:00Z"), end: new Date("2026-03-08T18:30:00Z"),
});
const mail = renderConfirmation({
  patientName: "Jane", clinicName: "Face of Jules", treatmentName: "T",
  start: new Date("2026-11-01T08:30:00Z"), end: new Date("2026-11-01T09:30:00Z"),
  timezone: "America/Los_Angeles", manageUrl: "https://x.test/m", bookingId: "b1",
  sequence: 1, rescheduled: false, now: new Date("2026-10-30T00:00:00Z"),
  clinicEmail: "c@x.test", patientEmail: "j@x.test",
});
process.stdout.write(JSON.stringify({ ics, mail, tzProbe: start.toISOString() }));
`,
      );
      const outputs = ["UTC", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati"].map(
        (TZ) => {
          const run = spawnSync(process.execPath, ["--import", "tsx", script], {
            env: { ...process.env, TZ },
            encoding: "utf8",
            timeout: 60_000,
          });
          expect(run.status, run.stderr).toBe(0);
          return JSON.parse(run.stdout) as { ics: string; mail: unknown; tzProbe: string };
        },
      );
      // The probe shows the children really ran in different timezones.
      expect(new Set(outputs.map((o) => o.tzProbe)).size).toBe(4);
      const first = outputs[0];
      for (const o of outputs) {
        expect(o.ics).toBe(first?.ics);
        expect(o.mail).toEqual(first?.mail);
      }
      expect(first?.ics).toContain("DTSTART:20260308T173000Z");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
