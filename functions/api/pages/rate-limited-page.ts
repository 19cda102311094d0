import { ASSETS } from "./assets";

/** The page a browser gets when its address sent too many forms in a minute. */
export function rateLimitedPage(retryAfterSeconds: number): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Too many tries</title><link rel="stylesheet" href="${ASSETS.css.path}"></head><body><main id="main"><h1>Too many tries</h1><p>Too many forms were sent from this address. Please wait ${retryAfterSeconds} second${retryAfterSeconds === 1 ? "" : "s"}, then go back and send yours again.</p></main></body></html>`;
}
