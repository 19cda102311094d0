import { createHash } from "node:crypto";

/**
 * The pages' one stylesheet and one small script, served from the app with a
 * content hash in the URL so browsers may cache them for a year. Mobile first:
 * one column at 375 px, wider tables and two columns on a desk monitor.
 */
const CSS = `
:root{--ink:#1d1d1f;--muted:#555;--line:#c9c9cf;--bg:#fff;--soft:#f4f4f7;--accent:#1a5fb4;--ok:#1c6b32;--warn:#8a4b00;--bad:#a51d2d;color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg)}
header.top{background:var(--soft);border-bottom:1px solid var(--line)}
header.top .in,main{max-width:60rem;margin:0 auto;padding:.75rem 1rem}
header.top a.brand{font-weight:700;text-decoration:none;color:var(--ink)}
footer.site{border-top:1px solid var(--line);margin-top:2rem;color:var(--muted)}
footer.site .in{max-width:60rem;margin:0 auto;padding:.75rem 1rem;font-size:.95rem}
nav ul{list-style:none;margin:.5rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
nav form{display:inline}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.muted,.hint{color:var(--muted)}
.hint{font-size:.9rem;margin:.2rem 0 0}
label{display:block;font-weight:600;margin:.9rem 0 .25rem}
label.inline{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}
input[type=text],input[type=email],input[type=tel],input[type=password],input[type=date],input[type=number],input[type=time],select,textarea{font:inherit;width:100%;max-width:32rem;padding:.55rem .6rem;border:1px solid #767676;border-radius:6px;background:#fff}
textarea{min-height:6rem}
textarea.plan{min-height:14rem;max-width:none;font:14px/1.4 ui-monospace,monospace}
input[type=checkbox],input[type=radio]{width:1.25rem;height:1.25rem;margin:.15rem 0 0;flex:none}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:.6rem 1.1rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;margin:.25rem .25rem .25rem 0}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad)}
button.small{padding:.3rem .6rem;font-size:.9rem}
.notice{border-left:4px solid var(--accent);background:var(--soft);padding:.75rem 1rem;margin:1rem 0}
.notice.ok{border-color:var(--ok)}.notice.warn{border-color:var(--warn)}.notice.bad{border-color:var(--bad)}
.error{color:var(--bad);font-weight:600;margin:.2rem 0 0}
.cards{list-style:none;padding:0;display:grid;gap:.75rem}
.cards li{border:1px solid var(--line);border-radius:8px;padding:1rem}
.cal{width:100%;border-collapse:collapse;table-layout:fixed;max-width:32rem}
.cal caption{font-weight:700;padding:.5rem 0;text-align:left}
.cal th{font-size:.8rem;color:var(--muted);padding:.25rem 0}
.cal td{text-align:center;padding:2px}
.cal td a,.cal td span{display:block;padding:.6rem 0;border-radius:6px}
.cal td a{background:#e3ecf8;font-weight:700;text-decoration:none}
.cal td a:hover{background:#c9dbf3}
.cal td span.off{color:#6b6b6b}
.cal td span.early{color:#6b6b6b;background:#ececec;text-decoration:line-through}
.monthnav{display:flex;justify-content:space-between;max-width:32rem;margin:.5rem 0}
fieldset{border:1px solid var(--line);border-radius:8px;margin:1rem 0;padding:.5rem 1rem 1rem}
legend{font-weight:700;padding:0 .25rem}
.times{display:grid;grid-template-columns:repeat(auto-fill,minmax(6.5rem,1fr));gap:.4rem}
.times label{margin:0;font-weight:400;display:flex;gap:.4rem;align-items:center;border:1px solid var(--line);border-radius:6px;padding:.45rem .5rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;min-width:0;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto}
table.list{border-collapse:collapse;width:100%;font-size:.95rem}
table.list th,table.list td{border-bottom:1px solid var(--line);padding:.45rem .5rem;text-align:left;vertical-align:top}
.badge{display:inline-block;padding:0 .45rem;border-radius:999px;font-size:.85rem;font-weight:600;border:1px solid currentColor}
.s-confirmed{color:var(--accent)}.s-completed,.s-sent{color:var(--ok)}.s-no-show,.s-failed,.s-cancelled{color:var(--bad)}.s-scheduled,.s-sending,.s-skipped{color:var(--warn)}.s-superseded{color:var(--muted)}
.actions form{display:inline}
select.inline-small{width:auto;padding:.25rem .4rem;font-size:.9rem;margin:.25rem 0}
.preview{width:100%;height:32rem;border:1px solid var(--line);border-radius:8px;background:#fff}
pre.email{white-space:pre-wrap;background:var(--soft);padding:1rem;border-radius:8px;font-size:.9rem}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
@media (min-width:48rem){.cols{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}h1{font-size:1.8rem}}
`
  .trim()
  .replace(/\n/g, "");

/**
 * Enhancements only: every page works without it. Asks before a destructive
 * button, and disables a form's buttons once it is sent so a double click
 * cannot send it twice.
 */
const JS = `
document.addEventListener("submit",function(e){var f=e.target,b=e.submitter,q=b&&b.getAttribute("data-confirm");
if(q&&!window.confirm(q)){e.preventDefault();return}
if(f.getAttribute("data-sent")){e.preventDefault();return}
f.setAttribute("data-sent","1");setTimeout(function(){f.removeAttribute("data-sent")},8000)});
`.trim();

/** The site's icon: a drop on the clinic's accent colour, a few hundred bytes of SVG. */
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1a5fb4"/><path d="M16 5c4.5 6.2 7.5 10 7.5 14a7.5 7.5 0 0 1-15 0c0-4 3-7.8 7.5-14z" fill="#fff"/></svg>';

const hash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 10);

export const ASSETS = {
  css: { path: `/assets/site.${hash(CSS)}.css`, body: CSS, type: "text/css; charset=utf-8" },
  js: { path: `/assets/site.${hash(JS)}.js`, body: JS, type: "text/javascript; charset=utf-8" },
  icon: { path: `/assets/icon.${hash(ICON)}.svg`, body: ICON, type: "image/svg+xml" },
} as const;
