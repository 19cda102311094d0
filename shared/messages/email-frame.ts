import { escapeHtml, oneLine } from "./escape";

/**
 * The frame every HTML email shares: the clinic's name as a header, the body,
 * the footer, inline styles only (mail clients drop <style>), no external
 * resources, and a layout that fits a 375 px phone: text and long addresses wrap,
 * tables keep to the screen's width, actions are buttons a thumb can hit.
 */

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

const ACCENT = "#6b2d5c";

/** A link when the URL is http(s), else the escaped text itself (never an href). */
export function linkHtml(url: string, label?: string): string {
  const safe = httpUrl(url);
  const shown = escapeHtml(label ?? safe ?? oneLine(url));
  return safe ? `<a href="${escapeHtml(safe)}" style="color:${ACCENT}">${shown}</a>` : shown;
}

const BUTTON = `display:inline-block;box-sizing:border-box;max-width:100%;font-weight:bold;text-decoration:none;text-align:center;padding:10px 18px;line-height:20px;border:2px solid ${ACCENT};border-radius:6px`;
const PRIMARY = `${BUTTON};background:${ACCENT};color:#ffffff`;
const SECONDARY = `${BUTTON};background:#ffffff;color:${ACCENT}`;

/**
 * An action as a button (44 px tall); a secondary one is outlined, so that the
 * email's main action stands out. A URL that is not http(s) shows as its escaped
 * text (never an href), as `linkHtml` does.
 */
export function buttonHtml(url: string, label: string, secondary = false): string {
  const safe = httpUrl(url);
  if (!safe) return escapeHtml(oneLine(url));
  const style = secondary ? SECONDARY : PRIMARY;
  return `<a class="button" href="${escapeHtml(safe)}" style="${style}">${escapeHtml(label)}</a>`;
}

const STYLE = {
  body: "margin:0;padding:0;background:#ffffff;color:#222222;font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5",
  // Long words and addresses break rather than widen the page.
  wrap: "max-width:640px;margin:0 auto;padding:0 16px 24px;overflow-wrap:break-word;word-wrap:break-word",
  header: `margin:0 -16px 20px;padding:14px 16px;background:${ACCENT};color:#ffffff;font-size:18px;font-weight:bold;line-height:1.3`,
  h2: "font-size:18px;line-height:1.3;margin:28px 0 8px",
  p: "margin:0 0 12px",
  action: "margin:16px 0 20px",
  ul: "margin:0 0 12px;padding-left:22px",
  li: "margin:0 0 6px",
  table: "border-collapse:collapse;width:100%;table-layout:fixed;margin:8px 0 16px;font-size:15px",
  th: "border:1px solid #cccccc;background:#f4eef2;padding:8px;text-align:left;vertical-align:top;overflow-wrap:break-word;word-wrap:break-word",
  td: "border:1px solid #cccccc;padding:8px;text-align:left;vertical-align:top;overflow-wrap:break-word;word-wrap:break-word",
  footer:
    "margin-top:32px;padding-top:16px;border-top:1px solid #dddddd;font-size:13px;color:#555555",
  link: `color:${ACCENT}`,
} as const;

export const emailStyle = STYLE;

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
 * The page around an email: it opens with the preheader, then the clinic's name
 * as a header, the body, and the footer.
 */
export function emailHtml(parts: {
  title: string;
  preheader: string;
  clinicName: string;
  body: string;
  footer: string;
}): string {
  const title = escapeHtml(parts.title);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title></head><body style="${STYLE.body}">${preheaderHtml(parts.preheader)}<div role="article" aria-label="${title}" style="${STYLE.wrap}"><div role="banner" style="${STYLE.header}">${escapeHtml(oneLine(parts.clinicName))}</div>${parts.body}<div role="contentinfo" style="${STYLE.footer}">${parts.footer}</div></div></body></html>`;
}
