import { type ClinicContact, callClinic, telHref } from "../domain/catalog";
import { httpUrl, emailStyle as S } from "./email-frame";
import { escapeHtml, oneLine } from "./escape";

/**
 * How every email ends: the clinic's name, address, phone and email, so that a
 * patient can always reach it (a `tel:` and a `mailto:` link, and a map when the
 * clinic gives one). A catalog stored before the contact existed shows the name only.
 */
export interface ClinicIdentity {
  name: string;
  contact?: ClinicContact;
}

export function clinicFooterText(clinic: ClinicIdentity): string[] {
  const c = clinic.contact;
  const map = c?.mapUrl ? httpUrl(c.mapUrl) : null;
  return [
    oneLine(clinic.name),
    ...(c
      ? [
          oneLine(c.address),
          `Phone: ${oneLine(c.phone)}`,
          `Email: ${oneLine(c.email)}`,
          ...(map ? [`Map: ${map}`] : []),
        ]
      : []),
  ];
}

const LINK = S.link;

export function clinicFooterHtml(clinic: ClinicIdentity): string {
  const c = clinic.contact;
  const name = `<strong>${escapeHtml(oneLine(clinic.name))}</strong>`;
  if (!c) return `<p style="${S.p}">${name}</p>`;
  const map = c.mapUrl ? httpUrl(c.mapUrl) : null;
  const address = map
    ? `<a href="${escapeHtml(map)}" style="${LINK}">${escapeHtml(oneLine(c.address))}</a>`
    : escapeHtml(oneLine(c.address));
  const phone = `<a href="${escapeHtml(telHref(c.phone))}" style="${LINK}">${escapeHtml(oneLine(c.phone))}</a>`;
  const email = `<a href="mailto:${escapeHtml(c.email)}" style="${LINK}">${escapeHtml(oneLine(c.email))}</a>`;
  return `<p style="${S.p}">${name}<br>${address}<br>${phone} · ${email}</p>`;
}

/** How to reach the clinic, as a sentence: "call Face of Jules on +1 323 555 0100 or reply to this email". */
export function reachClinic(clinic: ClinicIdentity): string {
  const name = oneLine(clinic.name);
  return clinic.contact
    ? `${oneLine(callClinic(clinic))} or reply to this email`
    : `reply to this email or call ${name}`;
}
