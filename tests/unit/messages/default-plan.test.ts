import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadDefaultPlanSteps, PlanStepsInput } from "../../../shared/aftercare/plan-schema";
import { checkStep, checkUnit, GUIDE_PATH, loadGuide } from "./guide-grounding";

const steps = loadDefaultPlanSteps();
const guide = loadGuide();

describe("the default aftercare plan", () => {
  it("validates as a staff PUT would, from the raw file too", () => {
    const raw = JSON.parse(
      readFileSync(new URL("../../../shared/aftercare/default-plan.json", import.meta.url), "utf8"),
    );
    expect(Object.keys(raw)).toEqual(["steps"]);
    expect(PlanStepsInput.safeParse(raw).success).toBe(true);
  });

  it("has the issue's timeline: ids, kinds, offsets and local send times", () => {
    // The first 24 hours start when the session ends: the plan email, sent then, opens
    // with them. Days 2 and 3 arrive as their windows (24–48 h, 48–72 h) open.
    expect(steps.map((s) => [s.id, s.kind, s.offsetDays, s.sendAt, s.offsetHours])).toEqual([
      ["plan", "aftercare", 0, null, undefined],
      ["day-2", "aftercare", 0, null, 24],
      ["day-3", "aftercare", 0, null, 48],
      ["week-1", "aftercare", 7, "09:00", undefined],
      ["week-2", "aftercare", 14, "09:00", undefined],
      ["weeks-3-4", "aftercare", 21, "09:00", undefined],
      ["day-28", "rebook", 28, "10:00", undefined],
      ["day-42", "last-reminder", 42, "10:00", undefined],
      // Sent when the session is marked a no-show, at once; removing it switches it off.
      ["no-show", "no-show", 0, null, undefined],
    ]);
  });

  it("opens the plan email with tonight and tomorrow: what to do, then what to avoid", () => {
    const plan = steps.find((s) => s.id === "plan");
    const [first, second, third] = plan?.sections ?? [];
    expect(first?.heading).toBe("Tonight and tomorrow: the first 24 hours");
    expect(first?.bullets).toContain("Gently apply a hyaluronic acid serum for hydration.");
    expect(second?.heading).toBe("What to avoid for the first 24 hours");
    expect(second?.bullets).toContain("Sweating (no gym!).");
    expect(third?.heading).toBe("Tonight: a fresh pillowcase");
  });

  it("never names the procedure in a subject", () => {
    for (const step of steps) expect(step.subject).not.toMatch(/micro[\s-]*needl/i);
  });

  it("has the full plan: the 72-hour table with the guide's three rows, and every topic", () => {
    const plan = steps.find((s) => s.id === "plan");
    const table = plan?.sections.find((s) => s.table?.columns[0] === "Timeframe")?.table;
    expect(table?.columns).toEqual(["Timeframe", "What to do", "What to avoid"]);
    expect(table?.rows.map((r) => r[0])).toEqual([
      "First 24 hours",
      "Day 2 (24–48 hours)",
      "Day 3 (48–72 hours)",
    ]);
    const all = JSON.stringify(plan).toLowerCase();
    for (const topic of [
      "key priorities",
      "milky or cream-based cleanser",
      "hyaluronic acid",
      "ingredients to avoid for the first week",
      "ingredients to embrace",
      "zinc oxide",
      "chemical sunscreen (to avoid)",
      "sun protection game plan",
      "lifestyle",
      "pillowcase",
    ]) {
      expect(all).toContain(topic);
    }
  });

  it("says what each later step is about", () => {
    const text = (id: string) => JSON.stringify(steps.find((s) => s.id === id)).toLowerCase();
    expect(text("day-3")).toContain("flak");
    expect(text("day-3")).toContain("don't peel or pick");
    expect(text("week-1")).toContain("one at a time");
    expect(text("week-2")).toContain("vitamin c serum for your morning routine");
    expect(text("weeks-3-4")).toContain("pull back immediately");
    expect(text("day-28")).toContain("{{earliestalloweddate}}");
    expect(text("day-28")).toContain("{{bookingurl}}");
    expect(text("day-28")).toContain("four to six-week mark");
    expect(text("day-42")).toContain("{{bookingurl}}");
  });

  it("leaves out the guide's third-party links and market figures", () => {
    const all = JSON.stringify(steps).toLowerCase();
    for (const banned of ["mdpen", "us$", "$200", "400%", "led facials", "holistic tips"]) {
      expect(all).not.toContain(banned);
    }
  });

  it("takes every paragraph, bullet and cell from the guide's own sentences", () => {
    const failures = steps.flatMap((step) =>
      checkStep(step, guide)
        .filter((v) => !v.ok)
        .map((v) => `${step.id}: ${v.ungrounded.join(" | ")}`),
    );
    expect(failures).toEqual([]);
    // Nearly all of it is verbatim: at most a handful of lightly edited sentences.
    const verdicts = steps.flatMap((s) => checkStep(s, guide));
    const counted = verdicts.reduce((n, v) => n + v.counted, 0);
    const ungrounded = verdicts.reduce((n, v) => n + v.ungrounded.length, 0);
    expect(counted).toBeGreaterThan(150);
    expect(ungrounded / counted).toBeLessThan(0.05);
  });

  it("only exempts short wiring sentences that carry a placeholder", () => {
    for (const step of steps) {
      for (const section of step.sections) {
        for (const p of [...(section.paragraphs ?? []), ...(section.bullets ?? [])]) {
          if (/\{\{\w+\}\}/.test(p)) expect(p.split(/\s+/).length).toBeLessThanOrEqual(12);
        }
      }
    }
  });

  it("would catch invented advice", () => {
    expect(checkUnit("Apply ice for 20 minutes every hour.", guide).ok).toBe(false);
    // One invented sentence next to one from the guide is still not enough.
    expect(
      checkUnit("Keep skin clean and dry. Apply ice for 20 minutes every hour.", guide).ok,
    ).toBe(false);
    expect(checkUnit("Use a retinoid every night from day 2.", guide).ok).toBe(false);
    // A small edit of the guide's words, or a change of meaning, is noticed.
    expect(checkUnit("Reapply your sunscreen at least every six hours.", guide).ok).toBe(false);
    const plan = steps.find((s) => s.id === "plan");
    if (!plan) throw new Error("no plan step");
    const tampered = structuredClone(plan);
    tampered.sections[0]?.paragraphs?.push("Sleep with an ice pack on your face every night.");
    expect(checkStep(tampered, guide).some((v) => !v.ok)).toBe(true);
  });

  it("checks against the clinic's guide (fixture copy is the real text)", () => {
    const text = readFileSync(GUIDE_PATH, "utf8");
    expect(text).toContain("The First 72 Hours Aftercare Timeline");
    expect(text).toContain("change your pillowcase the night of your treatment");
  });
});
