import { describe, expect, it } from "vitest";
import { loadDefaultPlanSteps } from "../../shared/aftercare/plan-schema";
import { sectionsToText, textToSections } from "../../shared/aftercare/plan-text";

describe("a plan step's sections as editable text", () => {
  it("round-trips every step of the clinic's plan exactly", () => {
    for (const step of loadDefaultPlanSteps()) {
      expect(textToSections(sectionsToText(step.sections))).toEqual(step.sections);
    }
  });

  it("reads headings, paragraphs, bullets and a table, ignoring blank lines and CRLF", () => {
    const text =
      "## Care\r\nKeep it clean.\r\n\r\n- Wash gently\n- No makeup\n| When | What |\n| Day 1 | Rest \\| sleep |\n";
    expect(textToSections(text)).toEqual([
      {
        heading: "Care",
        paragraphs: ["Keep it clean."],
        bullets: ["Wash gently", "No makeup"],
        table: { columns: ["When", "What"], rows: [["Day 1", "Rest | sleep"]] },
      },
    ]);
  });

  it("keeps text written before any heading, under an empty heading the schema will refuse", () => {
    expect(textToSections("Stray line\n## Next\nBody")).toEqual([
      { heading: "", paragraphs: ["Stray line"] },
      { heading: "Next", paragraphs: ["Body"] },
    ]);
  });
});
