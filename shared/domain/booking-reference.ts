/**
 * Booking ids people can read over the phone: twelve characters of Crockford's
 * base32 (digits and capitals without I, L, O and U, so nothing is misheard or
 * misread), 60 random bits, shown in groups of four: "7KQ2-M9XD-4TPR".
 */

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const REFERENCE_LENGTH = 12;
const GROUPED = /^[0-9A-HJKMNP-TV-Z]{12}$/;

/** An id from at least 8 random bytes (the caller's source of randomness). */
export function referenceFrom(bytes: Uint8Array): string {
  if (bytes.length < 8) throw new RangeError("A reference needs 8 random bytes");
  let bits = 0n;
  for (const b of bytes.subarray(0, 8)) bits = (bits << 8n) | BigInt(b);
  let out = "";
  for (let i = 0; i < REFERENCE_LENGTH; i++) {
    out += ALPHABET[Number(bits & 31n)];
    bits >>= 5n;
  }
  return out;
}

/** How a booking's id is shown: grouped when it is a reference; an older id as it is. */
export function bookingReference(id: string): string {
  return GROUPED.test(id) ? `${id.slice(0, 4)}-${id.slice(4, 8)}-${id.slice(8)}` : id;
}
