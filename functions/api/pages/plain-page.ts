import { escapeHtml } from "../../../shared/messages/escape";
import { ASSETS } from "./assets";

/**
 * A bare page for answers given before any route runs (a body too large, too many
 * forms from one address), when the clinic's details are not at hand.
 */
export function plainPage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><link rel="icon" href="${ASSETS.icon.path}" type="image/svg+xml"><link rel="stylesheet" href="${ASSETS.css.path}"></head><body><main id="main"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></main></body></html>`;
}

/** A person's browser (not an API client) asking for a page. */
export const wantsPage = (path: string, accept: string | undefined) =>
  !path.startsWith("/api/") && /text\/html/.test(accept ?? "");
