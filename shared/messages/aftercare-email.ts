import { DateTime } from "luxon";
import type { PlanSection, PlanStep } from "../domain/aftercare-plan";
import type { ClinicContact } from "../domain/catalog";
import { clinicFooterHtml, clinicFooterText, reachClinic } from "./clinic-footer";
import { escapeHtml, oneLine } from "./escape";

/**
 * One follow-up email rendered from a stored plan step. The plan's text is the
 * clinic's guide; this module only lays it out, fills the placeholders and adds
 * the greeting and footer. Every value is escaped where it lands (HTML text,
 * attribute, or one plain-text line), and a URL becomes a link only if it is
 * http(s).
 */

export interface AftercareEmailVars {
  patientName: string;
  clinicName: string;
  /** The clinic's address, phone and email, for the footer and "how to reach us". */
  clinicContact?: ClinicContact;
  /** Clinic-local date of the session, `YYYY-MM-DD`. */
  sessionDate: string;
  /** `YYYY-MM-DD`, from the spacing validator; needed by a step that uses it. */
  earliestAllowedDate?: string;
  /** Signed booking link; needed by a step that uses it. */
  bookingUrl?: string;
  /** The patient's private link to their bookings, shown in the footer when given. */
  manageUrl?: string;
  unsubscribeUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** A value a step needs was not given: the email must not go out with a hole in it. */
export class MissingEmailVariableError extends Error {
  readonly code = "MISSING_EMAIL_VARIABLE";
  constructor(readonly variable: string) {
    super(`The email needs {{${variable}}}, which was not given`);
    this.name = "MissingEmailVariableError";
  }
}

/** `2027-01-05` → `Tuesday 5 January 2027`. */
export function longDate(date: string): string {
  const parsed = DateTime.fromISO(date, { zone: "UTC" });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !parsed.isValid) {
    throw new RangeError("Not a YYYY-MM-DD date");
  }
  return parsed.setLocale("en-US").toFormat("cccc d LLLL yyyy");
}

/** The URL, normalised, if it is a well-formed http(s) URL; otherwise null. */
export function httpUrl(value: string): string | null {
  if (/[\p{Cc}\s]/u.test(value)) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** A link when the URL is http(s), else the escaped text itself (never an href). */
export function linkHtml(url: string, label?: string): string {
  const safe = httpUrl(url);
  const shown = escapeHtml(label ?? safe ?? oneLine(url));
  return safe ? `<a href="${escapeHtml(safe)}" style="color:#6b2d5c">${shown}</a>` : shown;
}

type Piece = { literal: string } | { value: string; url: boolean };

const KNOWN = new Set([
  "patientName",
  "clinicName",
  "sessionDate",
  "earliestAllowedDate",
  "bookingUrl",
]);
const URL_VARS = new Set(["bookingUrl"]);
const DATE_VARS = new Set(["sessionDate", "earliestAllowedDate"]);

/** Splits a template into literal text and substituted values. */
function fill(template: string, vars: AftercareEmailVars): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{\{([A-Za-z]+)\}\}/g)) {
    const name = match[1] ?? "";
    if (!KNOWN.has(name)) continue;
    pieces.push({ literal: template.slice(last, match.index) });
    const raw = vars[name as Exclude<keyof AftercareEmailVars, "clinicContact">];
    if (raw === undefined || raw === "") throw new MissingEmailVariableError(name);
    const value = DATE_VARS.has(name) ? longDate(raw) : oneLine(raw);
    pieces.push({ value, url: URL_VARS.has(name) });
    last = match.index + match[0].length;
  }
  pieces.push({ literal: template.slice(last) });
  return pieces;
}

function toText(pieces: Piece[]): string {
  return pieces.map((p) => ("literal" in p ? p.literal : p.value)).join("");
}

function toHtml(pieces: Piece[]): string {
  return pieces
    .map((p) =>
      "literal" in p ? escapeHtml(p.literal) : p.url ? linkHtml(p.value) : escapeHtml(p.value),
    )
    .join("");
}

const STYLE = {
  body: "margin:0;padding:0;background:#ffffff;color:#222222;font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5",
  wrap: "max-width:640px;margin:0 auto;padding:24px 16px",
  h2: "font-size:18px;line-height:1.3;margin:28px 0 8px",
  p: "margin:0 0 12px",
  ul: "margin:0 0 12px;padding-left:22px",
  li: "margin:0 0 6px",
  table: "border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:15px",
  th: "border:1px solid #cccccc;background:#f4eef2;padding:8px;text-align:left;vertical-align:top",
  td: "border:1px solid #cccccc;padding:8px;text-align:left;vertical-align:top",
  footer:
    "margin-top:32px;padding-top:16px;border-top:1px solid #dddddd;font-size:13px;color:#555555",
} as const;

// Hidden everywhere (clients drop <style>, so inline); only inbox previews read it.
const PREHEADER_STYLE =
  "display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all";
// Zero-width joiners and spaces after the preheader keep a preview from running on
// into the body's first lines.
const PREVIEW_PAD = "&#8204;&nbsp;".repeat(40);

/** The hidden first text of an HTML email: the line an inbox shows as a preview. */
export function preheaderHtml(text: string): string {
  return `<div style="${PREHEADER_STYLE}">${escapeHtml(oneLine(text))}${PREVIEW_PAD}</div>`;
}

/**
 * The page around an email's body: small, inline-styled, no external resources.
 * It opens with the preheader.
 */
export function emailHtml(title: string, preheader: string, body: string): string {
  const pre = preheaderHtml(preheader);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head><body style="${STYLE.body}">${pre}<div role="article" aria-label="${escapeHtml(title)}" style="${STYLE.wrap}">${body}</div></body></html>`;
}

export const emailStyle = STYLE;

function sectionText(section: PlanSection, vars: AftercareEmailVars): string[] {
  const t = (s: string) => toText(fill(s, vars));
  const heading = t(section.heading);
  const lines = [heading, "-".repeat(Math.min(heading.length, 60)), ""];
  for (const p of section.paragraphs ?? []) lines.push(t(p), "");
  if (section.bullets?.length) {
    for (const b of section.bullets) lines.push(`- ${t(b)}`);
    lines.push("");
  }
  if (section.table) {
    const [first, ...others] = section.table.columns.map(t);
    for (const row of section.table.rows) {
      const [title, ...cells] = row.map(t);
      lines.push(`${first}: ${title ?? ""}`);
      for (const [i, cell] of cells.entries()) lines.push(`  ${others[i] ?? ""}: ${cell}`);
      lines.push("");
    }
  }
  return lines;
}

function sectionHtml(section: PlanSection, vars: AftercareEmailVars): string {
  const h = (s: string) => toHtml(fill(s, vars));
  let out = `<h2 style="${STYLE.h2}">${h(section.heading)}</h2>`;
  for (const p of section.paragraphs ?? []) out += `<p style="${STYLE.p}">${h(p)}</p>`;
  if (section.bullets?.length) {
    out += `<ul style="${STYLE.ul}">${section.bullets.map((b) => `<li style="${STYLE.li}">${h(b)}</li>`).join("")}</ul>`;
  }
  if (section.table) {
    const head = section.table.columns
      .map((c) => `<th scope="col" style="${STYLE.th}">${h(c)}</th>`)
      .join("");
    const rows = section.table.rows
      .map(
        (row) =>
          `<tr>${row
            .map((cell, i) =>
              i === 0
                ? `<th scope="row" style="${STYLE.th}">${h(cell)}</th>`
                : `<td style="${STYLE.td}">${h(cell)}</td>`,
            )
            .join("")}</tr>`,
      )
      .join("");
    out += `<table style="${STYLE.table}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
  }
  return out;
}

/** Renders one plan step as an email: subject, plain text and HTML. */
export function renderAftercareEmail(step: PlanStep, vars: AftercareEmailVars): RenderedEmail {
  const clinic = oneLine(vars.clinicName);
  const name = oneLine(vars.patientName);
  const unsubscribe = httpUrl(vars.unsubscribeUrl);
  if (!unsubscribe) throw new RangeError("unsubscribeUrl must be an http(s) URL");
  const manage = vars.manageUrl ? httpUrl(vars.manageUrl) : null;
  const subject = oneLine(toText(fill(step.subject, vars)));
  const session = longDate(vars.sessionDate);

  const rebookNote =
    step.kind === "last-reminder"
      ? "If you have already booked your next session, you can ignore this email."
      : null;
  const who = {
    name: vars.clinicName,
    ...(vars.clinicContact ? { contact: vars.clinicContact } : {}),
  };
  // A way to reach a person, not advice: any warning signs are the clinic's own plan text.
  const reach =
    step.kind === "aftercare"
      ? `If anything about your healing worries you, ${reachClinic(who)}.`
      : null;
  const notes = [rebookNote, reach].filter((n): n is string => n !== null);
  const why = `You are receiving this email because of your ${step.kind === "no-show" ? "appointment" : "session"} at ${clinic} on ${session}.`;
  const footerLines = [
    ...clinicFooterText(who),
    why,
    ...(manage ? [`Your bookings: ${manage}`] : []),
    `To stop these emails, unsubscribe: ${unsubscribe}`,
  ];

  const text = [
    `Hello ${name},`,
    "",
    ...step.sections.flatMap((s) => sectionText(s, vars)),
    ...notes.flatMap((n) => [n, ""]),
    "--",
    ...footerLines,
    "",
  ].join("\n");

  const footerHtml = [
    clinicFooterHtml(who),
    `<p style="${STYLE.p}">${escapeHtml(why)}</p>`,
    ...(manage ? [`<p style="${STYLE.p}">Your bookings: ${linkHtml(manage)}</p>`] : []),
    `<p style="${STYLE.p}">To stop these emails, unsubscribe: ${linkHtml(unsubscribe)}</p>`,
  ].join("");

  const html = emailHtml(
    subject,
    // The step's own headings may name the treatment: the preview says only whose and when.
    `A message from ${clinic} about your session on ${session}.`,
    `<p style="${STYLE.p}">Hello ${escapeHtml(name)},</p>${step.sections
      .map((s) => sectionHtml(s, vars))
      .join(
        "",
      )}${notes.map((n) => `<p style="${STYLE.p}">${escapeHtml(n)}</p>`).join("")}<div role="contentinfo" style="${STYLE.footer}">${footerHtml}</div>`,
  );

  return { subject, text, html };
}
