import { describe, expect, it } from "vitest";
import { loadDefaultPlanSteps } from "../../../shared/aftercare/plan-schema";
import type { PlanStep } from "../../../shared/domain/aftercare-plan";
import {
  type AftercareEmailVars,
  longDate,
  MissingEmailVariableError,
  renderAftercareEmail,
} from "../../../shared/messages/aftercare-email";

const steps = loadDefaultPlanSteps();
const stepById = (id: string): PlanStep => {
  const step = steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id}`);
  return step;
};

const HOSTILE = `<script>alert(1)</script> "O'Neil" & Co`;

const vars: AftercareEmailVars = {
  patientName: "Jane Doe",
  clinicName: "Face of Jules",
  sessionDate: "2026-12-08",
  earliestAllowedDate: "2027-01-05",
  bookingUrl: "https://faceofjules.com/book?token=a&b=1",
  manageUrl: "https://faceofjules.com/manage/xyz",
  unsubscribeUrl: "https://faceofjules.com/unsubscribe/tok",
};

describe("renderAftercareEmail", () => {
  it("renders every default step with all placeholders filled and the subject clean", () => {
    for (const step of steps) {
      const email = renderAftercareEmail(step, vars);
      for (const part of [email.subject, email.text, email.html])
        expect(part).not.toMatch(/\{\{|\}\}/);
      expect(email.subject).not.toMatch(/[\r\n]/);
      expect(email.subject).not.toMatch(/micro[\s-]*needl/i);
      expect(email.text).toContain("Hello Jane Doe,");
      expect(email.text).toContain(
        "To stop these emails, unsubscribe: https://faceofjules.com/unsubscribe/tok",
      );
      expect(email.html).toContain('href="https://faceofjules.com/unsubscribe/tok"');
      expect(email.html).not.toMatch(/<img|<link|<script|url\(/i);
    }
  });

  it("writes dates like 'Tuesday 5 January 2027'", () => {
    expect(longDate("2027-01-05")).toBe("Tuesday 5 January 2027");
    expect(longDate("2026-03-08")).toBe("Sunday 8 March 2026");
    expect(() => longDate("2027-02-30")).toThrow(RangeError);
    expect(() => longDate("5 Jan 2027")).toThrow(RangeError);
    const rebook = renderAftercareEmail(stepById("day-28"), vars);
    expect(rebook.text).toContain("You can book your next session from Tuesday 5 January 2027.");
    expect(rebook.html).toContain("from Tuesday 5 January 2027.");
    const last = renderAftercareEmail(stepById("day-42"), vars);
    expect(last.text).toContain("since your session on Tuesday 8 December 2026");
    expect(last.text).toContain(
      "If you have already booked your next session, you can ignore this email.",
    );
  });

  it("escapes a hostile patient name in HTML and keeps it readable in text", () => {
    const email = renderAftercareEmail(stepById("day-3"), { ...vars, patientName: HOSTILE });
    expect(email.html).not.toContain("<script>");
    expect(email.html).toContain(
      "Hello &lt;script&gt;alert(1)&lt;/script&gt; &quot;O&#39;Neil&quot; &amp; Co,",
    );
    expect(email.text).toContain(`Hello ${HOSTILE},`);
  });

  it("escapes hostile values in the subject, the body and the clinic name, and flattens line breaks", () => {
    const step: PlanStep = {
      id: "x",
      kind: "aftercare",
      offsetDays: 1,
      sendAt: "09:00",
      subject: "For {{patientName}} at {{clinicName}}",
      sections: [
        {
          heading: "Hi {{patientName}}",
          paragraphs: ["<b>literal</b> {{patientName}}"],
          bullets: ["{{clinicName}}"],
          table: { columns: ["A", "B"], rows: [["{{patientName}}", "x"]] },
        },
      ],
    };
    const email = renderAftercareEmail(step, {
      ...vars,
      patientName: "Eve\r\nBcc: all@example.com <i>",
      clinicName: 'Jules "&" <Co>',
    });
    expect(email.subject).toBe('For Eve Bcc: all@example.com <i> at Jules "&" <Co>');
    expect(email.html).not.toMatch(/<i>|<b>|<Co>/);
    expect(email.html).toContain("&lt;b&gt;literal&lt;/b&gt; Eve Bcc: all@example.com &lt;i&gt;");
    expect(email.html).toContain("Jules &quot;&amp;&quot; &lt;Co&gt;");
    expect(email.text).not.toContain("\r");
    expect(email.text).toContain("Hi Eve Bcc: all@example.com <i>");
  });

  it("links an http(s) booking URL with its & escaped, and never a javascript: URL", () => {
    const ok = renderAftercareEmail(stepById("day-28"), vars);
    expect(ok.html).toContain(
      '<a class="button" href="https://faceofjules.com/book?token=a&amp;b=1"',
    );
    expect(ok.text).toContain("https://faceofjules.com/book?token=a&b=1");

    for (const bad of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      " javascript:alert(1)",
      "data:text/html,<script>",
      "vbscript:x",
    ]) {
      const email = renderAftercareEmail(stepById("day-28"), { ...vars, bookingUrl: bad });
      const hrefs = [...email.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
      expect(hrefs, bad).toEqual([
        "https://faceofjules.com/manage/xyz",
        "https://faceofjules.com/unsubscribe/tok",
      ]);
      expect(email.html, bad).not.toContain("<script>");
    }
    // A quote cannot break out of the attribute: the URL is normalised and escaped.
    const quoted = renderAftercareEmail(stepById("day-28"), {
      ...vars,
      bookingUrl: 'https://x.test/"onmouseover="alert(1)',
    });
    expect(quoted.html).toContain('href="https://x.test/%22onmouseover=%22alert(1)"');
    expect(quoted.html).not.toContain('"onmouseover');
    const js = renderAftercareEmail(stepById("day-28"), {
      ...vars,
      bookingUrl: "javascript:alert(1)",
    });
    expect(js.html).toContain("Choose a date here: javascript:alert(1)</p>");
  });

  it("renders the 72-hour table as th/td in HTML and as a labelled list in text", () => {
    const email = renderAftercareEmail(stepById("plan"), vars);
    expect(email.html).toContain('<th scope="col"');
    expect(email.html).toMatch(/<th scope="col"[^>]*>What to do<\/th>/);
    expect(email.html).toMatch(
      /<th scope="row"[^>]*>First 24 hours<\/th><td[^>]*>Keep skin clean and dry\./,
    );
    expect(email.text).toContain(
      "Timeframe: First 24 hours\n  What to do: Keep skin clean and dry.",
    );
    expect(email.text).toContain("  What to avoid: Makeup, sun exposure, sweating (no gym!)");
    expect(email.html).toContain("<li");
    expect(email.text).toContain("- Hydration is everything.");
  });

  it("shows the manage link only when given", () => {
    const withManage = renderAftercareEmail(stepById("day-2"), vars);
    expect(withManage.text).toContain("Your bookings: https://faceofjules.com/manage/xyz");
    const without = renderAftercareEmail(stepById("day-2"), { ...vars, manageUrl: undefined });
    expect(without.text).not.toContain("Your bookings");
  });

  it("refuses to send with a hole in it or without a working unsubscribe link", () => {
    expect(() =>
      renderAftercareEmail(stepById("day-28"), { ...vars, earliestAllowedDate: undefined }),
    ).toThrow(MissingEmailVariableError);
    expect(() => renderAftercareEmail(stepById("day-42"), { ...vars, bookingUrl: "" })).toThrow(
      MissingEmailVariableError,
    );
    expect(() =>
      renderAftercareEmail(stepById("day-2"), { ...vars, unsubscribeUrl: "javascript:x" }),
    ).toThrow(RangeError);
    // Steps that do not use them need neither.
    const plain = renderAftercareEmail(stepById("day-2"), {
      ...vars,
      earliestAllowedDate: undefined,
      bookingUrl: undefined,
    });
    expect(plain.subject).toBe("Day 2: gentle cleansing and mineral SPF");
  });
});
