import { describe, expect, it } from "vitest";
import {
  appointmentWhen,
  type ConfirmationInput,
  renderConfirmation,
  renderReminder,
} from "../../../shared/messages/booking-emails";

const LA = "America/Los_Angeles";

const input: ConfirmationInput = {
  patientName: "Jane Doe",
  clinicName: "Face of Jules",
  clinicContact: {
    address: "123 Main St, Los Angeles, CA 90012",
    phone: "+1 323 555 0100",
    email: "hello@faceofjules.com",
    mapUrl: "https://www.openstreetmap.org/search?query=123%20Main%20St",
  },
  treatmentName: "Microneedling",
  start: new Date("2026-12-08T21:00:00Z"),
  end: new Date("2026-12-08T22:00:00Z"),
  timezone: LA,
  manageUrl: "https://faceofjules.com/manage/abc?sig=1&x=2",
  bookingId: "bk_123",
  sequence: 0,
  rescheduled: false,
  clinicEmail: "hello@faceofjules.com",
  patientEmail: "jane@example.com",
  now: new Date("2026-11-29T12:00:00Z"),
};

describe("appointmentWhen", () => {
  it("shows clinic-local times with the zone's name, across both 2026 DST changes", () => {
    expect(appointmentWhen(input.start, input.end, LA)).toBe(
      "Tuesday 8 December 2026, 1:00 PM to 2:00 PM (Pacific Time)",
    );
    // 8 March 2026: 10:00 PDT is 17:00Z (the day starts in PST).
    expect(
      appointmentWhen(new Date("2026-03-08T17:00:00Z"), new Date("2026-03-08T18:00:00Z"), LA),
    ).toBe("Sunday 8 March 2026, 10:00 AM to 11:00 AM (Pacific Time)");
    // 1 November 2026: 10:00 PST is 18:00Z.
    expect(
      appointmentWhen(new Date("2026-11-01T18:00:00Z"), new Date("2026-11-01T19:00:00Z"), LA),
    ).toBe("Sunday 1 November 2026, 10:00 AM to 11:00 AM (Pacific Time)");
    // The repeated hour: 01:30 PDT (08:30Z) and 01:30 PST (09:30Z) both read 1:30 AM.
    expect(
      appointmentWhen(new Date("2026-11-01T08:30:00Z"), new Date("2026-11-01T09:30:00Z"), LA),
    ).toBe("Sunday 1 November 2026, 1:30 AM to 1:30 AM (Pacific Time)");
  });
});

describe("renderConfirmation", () => {
  it("confirms without naming the procedure in the subject, with the manage link and the .ics", () => {
    const email = renderConfirmation(input);
    expect(email.subject).toBe("Your appointment at Face of Jules is confirmed");
    expect(email.text).toContain(
      "When: Tuesday 8 December 2026, 1:00 PM to 2:00 PM (Pacific Time)",
    );
    expect(email.text).toContain("What: Microneedling");
    expect(email.text).toContain(
      "To reschedule or cancel: https://faceofjules.com/manage/abc?sig=1&x=2",
    );
    expect(email.html).toContain('href="https://faceofjules.com/manage/abc?sig=1&amp;x=2"');
    expect(email.attachments).toHaveLength(1);
    const [ics] = email.attachments;
    expect(ics.filename).toBe("appointment.ics");
    expect(ics.contentType).toBe("text/calendar; charset=utf-8; method=REQUEST");
    const lines = ics.content.replace(/\r\n /g, "").split("\r\n");
    expect(lines).toContain("METHOD:REQUEST");
    expect(lines).toContain("DTSTART:20261208T210000Z");
    expect(lines).toContain("DTEND:20261208T220000Z");
    expect(lines).toContain("UID:bk_123@faceofjules.com");
    expect(lines).toContain("SEQUENCE:0");
    expect(lines).toContain("SUMMARY:Appointment at Face of Jules");
    expect(lines).toContain("URL:https://faceofjules.com/manage/abc?sig=1&x=2");
    expect(lines).toContain("LOCATION:Face of Jules\\, 123 Main St\\, Los Angeles\\, CA 90012");
  });

  it("says when an appointment was moved, and bumps the calendar's sequence", () => {
    const email = renderConfirmation({ ...input, rescheduled: true, sequence: 3 });
    expect(email.subject).toBe("Your appointment at Face of Jules has been moved");
    expect(email.text).toContain("has been moved");
    expect(email.attachments[0].content).toContain("SEQUENCE:3");
  });

  it("escapes hostile names in HTML, flattens them in text and the subject", () => {
    const email = renderConfirmation({
      ...input,
      patientName: "<script>alert(1)</script> \"Q\" & 'A'",
      clinicName: "Jules\r\nBcc: x@example.com",
      treatmentName: "<img src=x onerror=alert(1)>",
    });
    expect(email.subject).toBe("Your appointment at Jules Bcc: x@example.com is confirmed");
    expect(email.html).not.toMatch(/<script>|<img/);
    expect(email.html).toContain(
      "&lt;script&gt;alert(1)&lt;/script&gt; &quot;Q&quot; &amp; &#39;A&#39;",
    );
    expect(email.text).toContain(`Hello <script>alert(1)</script> "Q" & 'A',`);
    expect(email.attachments[0].content.replace(/\r\n /g, "")).not.toMatch(/\r\nBcc/);
  });

  it("refuses a manage link that is not http(s)", () => {
    expect(() => renderConfirmation({ ...input, manageUrl: "javascript:alert(1)" })).toThrow(
      RangeError,
    );
  });
});

describe("renderReminder", () => {
  it("says 'tomorrow' with the clinic-local time, without the procedure in the subject", () => {
    const email = renderReminder({ ...input, now: new Date("2026-12-07T21:00:00Z") });
    expect(email.subject).toBe("See you tomorrow at 1:00 PM");
    expect(email.text).toContain(
      "When: Tuesday 8 December 2026, 1:00 PM to 2:00 PM (Pacific Time)",
    );
    expect(email.html).toContain('href="https://faceofjules.com/manage/abc?sig=1&amp;x=2"');
    expect("attachments" in email).toBe(false);
  });

  it("uses clinic-local dates for today / tomorrow, not the server's", () => {
    // 23:30 on the 7th in Los Angeles is already the 8th in UTC.
    const now = new Date("2026-12-08T07:30:00Z");
    expect(renderReminder({ ...input, now }).subject).toBe("See you tomorrow at 1:00 PM");
    expect(renderReminder({ ...input, now: new Date("2026-12-08T16:00:00Z") }).subject).toBe(
      "See you today at 1:00 PM",
    );
    expect(renderReminder({ ...input, now: new Date("2026-12-05T16:00:00Z") }).subject).toBe(
      "See you on Tuesday 8 December at 1:00 PM",
    );
  });

  // The session's day from the moment the reminder goes out, whatever the clinic's lead.
  const at = (start: string, now: string) =>
    renderReminder({ ...input, start: new Date(start), end: new Date(start), now: new Date(now) });

  it.each([
    // lead, session start, sent at, subject
    ["24 h", "2026-12-08T21:00:00Z", "2026-12-07T21:00:00Z", "See you tomorrow at 1:00 PM"],
    [
      "48 h",
      "2026-12-08T21:00:00Z",
      "2026-12-06T21:00:00Z",
      "See you on Tuesday 8 December at 1:00 PM",
    ],
    // Sunday 8 March 10:00 PDT; 24 elapsed hours earlier is Saturday 09:00 PST.
    [
      "24 h over the March change",
      "2026-03-08T17:00:00Z",
      "2026-03-07T17:00:00Z",
      "See you tomorrow at 10:00 AM",
    ],
    // Sunday 1 November 10:00 PST; 24 elapsed hours earlier is Saturday 11:00 PDT.
    [
      "24 h over the November change",
      "2026-11-01T18:00:00Z",
      "2026-10-31T18:00:00Z",
      "See you tomorrow at 10:00 AM",
    ],
    // Monday 2 November 10:00 PST, 48 h ahead over the change: a named day, not "tomorrow".
    [
      "48 h over the November change",
      "2026-11-02T18:00:00Z",
      "2026-10-31T18:00:00Z",
      "See you on Monday 2 November at 10:00 AM",
    ],
    // 7:00 PM on the 8th is already the 9th in UTC: still "today" from that morning.
    [
      "10 h, an evening session",
      "2026-12-09T03:00:00Z",
      "2026-12-08T17:00:00Z",
      "See you today at 7:00 PM",
    ],
    // 24 h before an evening session: the evening before.
    [
      "24 h, an evening session",
      "2026-12-09T03:00:00Z",
      "2026-12-08T03:00:00Z",
      "See you tomorrow at 7:00 PM",
    ],
  ])("%s: %s sent %s → %s", (_lead, start, now, subject) => {
    expect(at(start, now).subject).toBe(subject);
    expect(at(start, now).text).toContain(subject.replace("See you ", "Face of Jules "));
  });
});
