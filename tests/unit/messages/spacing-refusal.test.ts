import { describe, expect, it } from "vitest";
import { PROCEDURE_NAME } from "../../../shared/aftercare/plan-schema";
import { spacingRefusalEmail } from "../../../shared/messages/spacing-refusal";

describe("spacingRefusalEmail", () => {
  it("opens with a hidden preheader: the inbox preview never shows the treatment", () => {
    const email = spacingRefusalEmail({
      to: "ana@example.com",
      patientName: "Ana",
      clinicName: "Face of Jules",
      treatmentName: "Microneedling",
      requestedDate: "2026-12-08",
      earliestAllowedDate: "2027-01-05",
      bookingUrl: "https://clinic.test/book?rebook=x",
    });
    const match = /<body[^>]*><div style="([^"]*)">([^<&]*)/.exec(email.html);
    expect(match?.[1]).toContain("display:none");
    expect(match?.[2]).toBe("Your booking request at Face of Jules: the dates you can book.");
    expect(match?.[2]).not.toMatch(PROCEDURE_NAME);
    expect(email.text).toMatch(PROCEDURE_NAME);
  });
});
