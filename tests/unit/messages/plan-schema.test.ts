import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  loadDefaultPlanSteps,
  PLAN_LIMITS,
  PlanStepsInput,
} from "../../../shared/aftercare/plan-schema";
import type { PlanStep } from "../../../shared/domain/aftercare-plan";

function step(overrides: Partial<PlanStep> = {}): PlanStep {
  return {
    id: "day-2",
    kind: "aftercare",
    offsetDays: 2,
    sendAt: "09:00",
    subject: "Day 2: gentle cleansing",
    sections: [{ heading: "Day 2", paragraphs: ["Keep skin clean and dry."] }],
    ...overrides,
  };
}

function issues(input: unknown): string[] {
  const result = PlanStepsInput.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("PlanStepsInput", () => {
  it("accepts a small valid plan and the default plan", () => {
    expect(issues({ steps: [step()] })).toEqual([]);
    expect(issues({ steps: loadDefaultPlanSteps() })).toEqual([]);
  });

  it("rejects unknown keys at every level", () => {
    expect(issues({ steps: [step()], version: 3 })).not.toEqual([]);
    expect(issues({ steps: [{ ...step(), extra: true }] })).not.toEqual([]);
    expect(
      issues({
        steps: [step({ sections: [{ heading: "H", bullets: ["x"], style: "red" } as never] })],
      }),
    ).not.toEqual([]);
    expect(
      issues({
        steps: [
          step({
            sections: [
              { heading: "H", table: { columns: ["a"], rows: [["b"]], caption: "c" } as never },
            ],
          }),
        ],
      }),
    ).not.toEqual([]);
  });

  it("rejects a bad sendAt and accepts the edges", () => {
    for (const bad of ["24:00", "9:00", "09:60", "0900", "09:00:00", "", " 09:00"]) {
      expect(issues({ steps: [step({ sendAt: bad })] }), bad).not.toEqual([]);
    }
    for (const good of ["00:00", "23:59", "09:00"]) {
      expect(issues({ steps: [step({ sendAt: good })] }), good).toEqual([]);
    }
    expect(issues({ steps: [step({ sendAt: null, offsetDays: 0 })] })).toEqual([]);
    expect(issues({ steps: [step({ sendAt: null, offsetDays: 3 })] })).not.toEqual([]);
  });

  it("rejects bad ids and offsets", () => {
    for (const id of ["", "Day-2", "day 2", "a".repeat(33), "day_2"]) {
      expect(issues({ steps: [step({ id })] }), id).not.toEqual([]);
    }
    for (const offsetDays of [-1, 121, 1.5]) {
      expect(issues({ steps: [step({ offsetDays })] })).not.toEqual([]);
    }
  });

  it("rejects duplicate ids", () => {
    const result = issues({ steps: [step(), step({ offsetDays: 3 })] });
    expect(result.join("\n")).toMatch(/Duplicate step id "day-2"/);
  });

  it("rejects a subject naming the procedure, in any case or spelling", () => {
    for (const subject of [
      "Your microneedling aftercare",
      "MICRONEEDLING day 2",
      "Micro-needling: day 3",
      "After your Micro Needling",
    ]) {
      expect(issues({ steps: [step({ subject })] }).join("\n"), subject).toMatch(/procedure/);
    }
  });

  it("rejects CR, LF and other control characters anywhere in the text", () => {
    for (const bad of ["a\r\nBcc: x@y.z", "a\nb", "a\rb", "a\u0000b", "a\u2028b", "a\tb"]) {
      expect(issues({ steps: [step({ subject: bad })] })).not.toEqual([]);
      expect(
        issues({ steps: [step({ sections: [{ heading: bad, bullets: ["x"] }] })] }),
      ).not.toEqual([]);
      expect(
        issues({ steps: [step({ sections: [{ heading: "H", paragraphs: [bad] }] })] }),
      ).not.toEqual([]);
      expect(
        issues({ steps: [step({ sections: [{ heading: "H", bullets: [bad] }] })] }),
      ).not.toEqual([]);
      expect(
        issues({
          steps: [step({ sections: [{ heading: "H", table: { columns: ["a"], rows: [[bad]] } }] })],
        }),
      ).not.toEqual([]);
    }
  });

  it("property: any text with a control character is refused", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.integer({ min: 0, max: 31 }),
        fc.string({ maxLength: 20 }),
        (before, code, after) => {
          const text = `x${before}${String.fromCharCode(code)}${after}`;
          return (
            issues({ steps: [step({ sections: [{ heading: "H", paragraphs: [text] }] })] }).length >
            0
          );
        },
      ),
    );
  });

  it("rejects table rows that do not match the columns", () => {
    const table = { columns: ["A", "B"], rows: [["1", "2"], ["3"]] };
    expect(issues({ steps: [step({ sections: [{ heading: "H", table }] })] }).join("\n")).toMatch(
      /1 cells; the table has 2 columns/,
    );
  });

  it("allows only the known placeholders, where they can be filled", () => {
    const with_ = (text: string, kind: PlanStep["kind"] = "aftercare") =>
      issues({ steps: [step({ kind, sections: [{ heading: "H", paragraphs: [text] }] })] });
    expect(with_("Hello {{patientName}} from {{clinicName}}, {{sessionDate}}")).toEqual([]);
    expect(with_("{{email}}").join()).toMatch(/Unknown placeholder/);
    expect(with_("{{ patientName }}").join()).toMatch(/Unknown placeholder/);
    expect(with_("{{patientName}")).not.toEqual([]);
    expect(with_("From {{earliestAllowedDate}}")).not.toEqual([]);
    expect(with_("From {{earliestAllowedDate}}: {{bookingUrl}}", "rebook")).toEqual([]);
    expect(with_("Book: {{bookingUrl}}", "last-reminder")).toEqual([]);
    expect(with_("No link here", "rebook").join()).toMatch(/bookingUrl/);
  });

  it("allows at most one rebook and one last-reminder step", () => {
    const rebook = (id: string) =>
      step({ id, kind: "rebook", sections: [{ heading: "H", paragraphs: ["{{bookingUrl}}"] }] });
    expect(issues({ steps: [rebook("a")] })).toEqual([]);
    expect(issues({ steps: [rebook("a"), rebook("b")] }).join()).toMatch(
      /At most one step of kind "rebook"/,
    );
    const last = (id: string) => ({ ...rebook(id), kind: "last-reminder" as const });
    expect(issues({ steps: [last("a"), last("b")] }).join()).toMatch(/last-reminder/);
  });

  it("bounds counts and lengths", () => {
    const many = Array.from({ length: PLAN_LIMITS.steps + 1 }, (_, i) => step({ id: `s${i}` }));
    expect(issues({ steps: many })).not.toEqual([]);
    expect(issues({ steps: [] })).not.toEqual([]);
    const sections = Array.from({ length: PLAN_LIMITS.sectionsPerStep + 1 }, () => ({
      heading: "H",
      bullets: ["x"],
    }));
    expect(issues({ steps: [step({ sections })] })).not.toEqual([]);
    expect(issues({ steps: [step({ subject: "s".repeat(121) })] })).not.toEqual([]);
    expect(issues({ steps: [step({ subject: "s".repeat(120) })] })).toEqual([]);
    expect(issues({ steps: [step({ sections: [{ heading: "H" }] })] })).not.toEqual([]);
  });

  it("rejects a plan over 64 KB once JSON-encoded", () => {
    // 30 steps x 4 paragraphs of 600 characters: each field is within its limit, the whole is not.
    const big = Array.from({ length: 30 }, (_, i) =>
      step({
        id: `s${i}`,
        sections: [{ heading: "H", paragraphs: Array.from({ length: 4 }, () => "a".repeat(600)) }],
      }),
    );
    expect(issues({ steps: big }).join()).toMatch(/at most 65536/);
    expect(issues({ steps: big.slice(0, 20) })).toEqual([]);
  });

  it("rejects wrong types", () => {
    expect(issues(null)).not.toEqual([]);
    expect(issues({ steps: "nope" })).not.toEqual([]);
    expect(issues({ steps: [step({ kind: "reminder" as never })] })).not.toEqual([]);
    expect(issues({ steps: [step({ offsetDays: "2" as never })] })).not.toEqual([]);
  });
});

describe("step ids", () => {
  it("refuses the names the booking's own follow-ups use, and ids over 24 characters", () => {
    for (const id of ["reminder-1", "confirmation-2", "auto-complete-1", "reminder"]) {
      expect(issues({ steps: [step({ id })] }).join()).toMatch(/reserved/);
    }
    expect(issues({ steps: [step({ id: "a".repeat(25) })] }).join()).toMatch(/1 to 24/);
    expect(issues({ steps: [step({ id: "reminders-for-you" })] })).toEqual([]);
  });
});
