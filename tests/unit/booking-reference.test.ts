import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bookingReference, referenceFrom } from "../../shared/domain/booking-reference";

describe("booking references people can read over the phone", () => {
  it("are twelve characters of Crockford's base32: no I, L, O or U, shown in groups of four", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = referenceFrom(randomBytes(8));
      expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(2000);
    expect(referenceFrom(new Uint8Array(8))).toBe("000000000000");
    expect(referenceFrom(new Uint8Array(8).fill(255))).toBe("ZZZZZZZZZZZZ");
    expect(bookingReference("NAXW3015DB8K")).toBe("NAXW-3015-DB8K");
  });

  it("leave an older id as it was, and refuse too few random bytes", () => {
    const old = "0f8e2c1d4b5a69788796a5b4c3d2e1f0";
    expect(bookingReference(old)).toBe(old);
    expect(() => referenceFrom(new Uint8Array(7))).toThrow(RangeError);
  });
});
