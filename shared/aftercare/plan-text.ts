import type { PlanSection } from "../domain/aftercare-plan";

/**
 * A plan step's sections as plain text, so staff can edit them in one text box:
 *
 *     ## Heading
 *     A paragraph, one per line.
 *     - A bullet
 *     | Column | Column |      (the first table line names the columns)
 *     | Cell   | Cell   |
 *
 * A `|` inside a cell is written `\|`. Paragraphs come before bullets, and bullets
 * before the table, as the email lays them out. The text is validated afterwards
 * by the plan schema like any other edit.
 */
export function sectionsToText(sections: PlanSection[]): string {
  const row = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return sections
    .map((s) =>
      [
        `## ${s.heading}`,
        ...(s.paragraphs ?? []),
        ...(s.bullets ?? []).map((b) => `- ${b}`),
        ...(s.table ? [row(s.table.columns), ...s.table.rows.map(row)] : []),
      ].join("\n"),
    )
    .join("\n\n");
}

/** The inverse of `sectionsToText`; text before the first heading gets an empty heading. */
export function textToSections(text: string): PlanSection[] {
  const sections: PlanSection[] = [];
  let current: PlanSection | null = null;
  const section = (): PlanSection => {
    if (!current) {
      current = { heading: "" };
      sections.push(current);
    }
    return current;
  };
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith("## ") || line === "##") {
      current = { heading: line.slice(2).trim() };
      sections.push(current);
    } else if (line.startsWith("- ")) {
      const s = section();
      s.bullets = [...(s.bullets ?? []), line.slice(2).trim()];
    } else if (line.startsWith("|")) {
      const cells = line
        .replace(/^\|/, "")
        .replace(/(?<!\\)\|$/, "")
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, "|"));
      const s = section();
      if (!s.table) s.table = { columns: cells, rows: [] };
      else s.table.rows.push(cells);
    } else {
      const s = section();
      s.paragraphs = [...(s.paragraphs ?? []), line];
    }
  }
  return sections;
}
