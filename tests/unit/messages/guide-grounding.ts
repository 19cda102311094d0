import { readFileSync } from "node:fs";
import type { PlanStep } from "../../../shared/domain/aftercare-plan";

/**
 * A check that a plan's advice comes from the clinic's guide: every paragraph,
 * bullet and table cell must be mostly made of the guide's own sentences.
 *
 * Text is normalised (lower case, punctuation and dashes to spaces, curly
 * quotes straightened). A sentence is grounded when every run of 5 consecutive
 * words in it occurs in the guide (a sentence of under 5 words must occur in
 * the guide as a whole). A unit (paragraph, bullet, cell) passes when at least
 * 60% of its sentences are grounded. Sentences carrying a placeholder are the
 * plan's own wiring ("You can book from {{earliestAllowedDate}}") and are not
 * counted; a short "Label:" at the start of a bullet is a heading, not advice.
 */

export const SHINGLE = 5;
export const MIN_GROUNDED_SHARE = 0.6;

/** The copy of the clinic's guide the default plan was checked against. */
export const GUIDE_PATH = new URL("./fixtures/aftercare-guide.txt", import.meta.url);

export function normalise(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[^a-z0-9']+/g, " ")
    .replace(/(^|\s)'+|'+(?=\s|$)/g, " ")
    .trim()
    .split(/\s+/)
    .filter(Boolean);
}

export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?]["\u201d\u2019')]*)\s+(?=[A-Z0-9"\u201c{])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface Guide {
  shingles: Set<string>;
  /** Each normalised line, padded with spaces, for short-sentence lookups. */
  lines: string[];
}

export function loadGuide(text = readFileSync(GUIDE_PATH, "utf8")): Guide {
  const shingles = new Set<string>();
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const words = normalise(line);
    lines.push(` ${words.join(" ")} `);
    for (let i = 0; i + SHINGLE <= words.length; i++) {
      shingles.add(words.slice(i, i + SHINGLE).join(" "));
    }
  }
  return { shingles, lines };
}

export function isGrounded(sentence: string, guide: Guide): boolean {
  const words = normalise(sentence);
  if (words.length === 0) return true;
  if (words.length < SHINGLE) {
    const needle = ` ${words.join(" ")} `;
    return guide.lines.some((line) => line.includes(needle));
  }
  for (let i = 0; i + SHINGLE <= words.length; i++) {
    if (!guide.shingles.has(words.slice(i, i + SHINGLE).join(" "))) return false;
  }
  return true;
}

const LABEL = /^[A-Z][\w ()/,'-]{0,40}:\s+(?=\S)/;

export interface UnitVerdict {
  unit: string;
  counted: number;
  grounded: number;
  ungrounded: string[];
  ok: boolean;
}

export function checkUnit(
  unit: string,
  guide: Guide,
  options: { bullet?: boolean } = {},
): UnitVerdict {
  const body = options.bullet ? unit.replace(LABEL, "") : unit;
  const sentences = splitSentences(body).filter((s) => !/\{\{\w+\}\}/.test(s));
  const ungrounded = sentences.filter((s) => !isGrounded(s, guide));
  const grounded = sentences.length - ungrounded.length;
  const ok = sentences.length === 0 || grounded / sentences.length >= MIN_GROUNDED_SHARE;
  return { unit, counted: sentences.length, grounded, ungrounded, ok };
}

/** Every paragraph, bullet and table body cell of a step, checked against the guide. */
export function checkStep(step: PlanStep, guide: Guide): UnitVerdict[] {
  const verdicts: UnitVerdict[] = [];
  for (const section of step.sections) {
    for (const p of section.paragraphs ?? []) verdicts.push(checkUnit(p, guide));
    for (const b of section.bullets ?? []) verdicts.push(checkUnit(b, guide, { bullet: true }));
    for (const row of section.table?.rows ?? []) {
      for (const cell of row) verdicts.push(checkUnit(cell, guide));
    }
  }
  return verdicts;
}
