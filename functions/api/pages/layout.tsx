import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { type Clinic, type ClinicContact, telHref } from "../../../shared/domain/catalog";
import { ASSETS } from "./assets";

/**
 * The pages' frame. Content-Security-Policy is strict: scripts and styles only
 * from this origin's two files, no inline code, forms only to this origin. A page
 * that shows an email (inline styles, in a sandboxed frame) allows inline styles.
 */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const CSP_WITH_EMAIL = `${CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")}; frame-src 'self'`;

export interface StaffNavProps {
  name: string;
  csrf: string;
}

export interface LayoutProps {
  title: string;
  clinicName: string;
  /** Shown in the footer of the patients' pages. */
  contact?: ClinicContact | undefined;
  /** Where the clinic's name links to. */
  home: string;
  /**
   * What a search result or a shared link says of the page. Patients' pages have
   * one by default; the console's pages none.
   */
  description?: string;
  staff?: StaffNavProps;
  children?: Child;
}

function StaffNav({ name, csrf }: StaffNavProps) {
  return (
    <nav aria-label="Console">
      <ul>
        <li>
          <a href="/staff">Schedule</a>
        </li>
        <li>
          <a href="/staff/book">Book</a>
        </li>
        <li>
          <a href="/staff/patients">Patients</a>
        </li>
        <li>
          <a href="/staff/audit">Overrides</a>
        </li>
        <li>
          <a href="/staff/plan">Aftercare plan</a>
        </li>
        <li>
          <form method="post" action="/staff/sign-out">
            <input type="hidden" name="_csrf" value={csrf} />
            <button type="submit" class="small secondary" aria-label={`Sign out ${name}`}>
              Sign out
            </button>
          </form>
        </li>
      </ul>
    </nav>
  );
}

/** A patient's page that says nothing of its own. */
export const defaultDescription = (clinicName: string) =>
  `${clinicName}: book a session online, then reschedule or cancel it from your confirmation.`;

/** "call Face of Jules on +1 323 555 0100", the number a link that dials it. */
export function CallClinic({ clinic }: { clinic: Clinic }) {
  return clinic.contact ? (
    <>
      call {clinic.name} on <a href={telHref(clinic.contact.phone)}>{clinic.contact.phone}</a>
    </>
  ) : (
    <>call {clinic.name}</>
  );
}

/** The patient pages' footer: the clinic's address, phone and email, each a link. */
function ClinicFooter({ name, contact }: { name: string; contact: ClinicContact }) {
  return (
    <footer class="site">
      <div class="in">
        <p>
          <strong>{name}</strong>
          <br />
          {contact.mapUrl ? <a href={contact.mapUrl}>{contact.address}</a> : contact.address}
          <br />
          <a href={telHref(contact.phone)}>{contact.phone}</a> ·{" "}
          <a href={`mailto:${contact.email}`}>{contact.email}</a>
        </p>
      </div>
    </footer>
  );
}

export function Layout({
  title,
  clinicName,
  contact,
  home,
  staff,
  description,
  children,
}: LayoutProps) {
  const console = staff !== undefined || home === "/staff";
  const meta = description ?? (console ? undefined : defaultDescription(clinicName));
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${clinicName}`}</title>
        {meta ? <meta name="description" content={meta} /> : null}
        <link rel="icon" href={ASSETS.icon.path} type="image/svg+xml" />
        <link rel="stylesheet" href={ASSETS.css.path} />
        <script src={ASSETS.js.path} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <div class="in">
            <a class="brand" href={home}>
              {staff ? `${clinicName} · front desk` : clinicName}
            </a>
            {staff ? <StaffNav {...staff} /> : null}
          </div>
        </header>
        <main id="main">{children}</main>
        {contact && !console ? <ClinicFooter name={clinicName} contact={contact} /> : null}
      </body>
    </html>
  );
}

/** Sends a page with the house headers. */
export async function sendPage(
  c: Context,
  page: ReturnType<typeof Layout>,
  options: { status?: number; showsEmail?: boolean } = {},
): Promise<Response> {
  c.header("Content-Security-Policy", options.showsEmail ? CSP_WITH_EMAIL : CSP);
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
  return c.html(`<!doctype html>${await page}`, (options.status ?? 200) as 200);
}
