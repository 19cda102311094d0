import { createHmac, timingSafeEqual } from "node:crypto";
import type { LinkSigner, TokenPurpose } from "../../ports";

export type { TokenPurpose };

const PURPOSES: readonly TokenPurpose[] = ["manage", "rebook", "unsubscribe", "csrf"];
const SUBJECT_RE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Signed links for patients: `v1.<purpose>.<subject>.<expiry>.<mac>`, HMAC-SHA256
 * over everything before the mac. A token is bound to one purpose and one subject
 * (a booking id or a patient id) and expires; macs are compared in constant time.
 */
export class LinkTokens implements LinkSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (Buffer.byteLength(secret) < 32)
      throw new Error("Link-token secret must be at least 32 bytes");
    this.key = Buffer.from(secret);
  }

  private mac(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest("base64url");
  }

  sign(purpose: TokenPurpose, subject: string, expiresAt: Date): string {
    if (!SUBJECT_RE.test(subject)) throw new Error("Token subject must be an id");
    const payload = `v1.${purpose}.${subject}.${Math.floor(expiresAt.getTime() / 1000)}`;
    return `${payload}.${this.mac(payload)}`;
  }

  /** The subject when the token is genuine, of this purpose and not expired; else null. */
  verify(token: string | undefined, purpose: TokenPurpose, now: Date): string | null {
    if (!token || token.length > 200) return null;
    const parts = token.split(".");
    if (parts.length !== 5) return null;
    const [version, tokenPurpose, subject, expiry, mac] = parts as [
      string,
      string,
      string,
      string,
      string,
    ];
    const expected = Buffer.from(this.mac(`${version}.${tokenPurpose}.${subject}.${expiry}`));
    const given = Buffer.from(mac);
    const genuine = given.length === expected.length && timingSafeEqual(given, expected);
    if (!genuine || version !== "v1") return null;
    if (tokenPurpose !== purpose || !PURPOSES.includes(tokenPurpose)) return null;
    if (!/^\d{1,12}$/.test(expiry) || Number(expiry) * 1000 <= now.getTime()) return null;
    return SUBJECT_RE.test(subject) ? subject : null;
  }
}
