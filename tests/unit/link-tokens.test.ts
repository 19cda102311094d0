import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LinkTokens, type TokenPurpose } from "../../shared/adapters/auth/link-tokens";

const SECRET = "test-secret-that-is-32-bytes-ok!";
const NOW = new Date("2026-11-01T08:30:00Z");
const EXPIRES = new Date("2026-12-01T08:00:00Z");
const EXPIRY_SECONDS = String(EXPIRES.getTime() / 1000);

const tokens = new LinkTokens(SECRET);

/** A token with a genuine mac over whatever fields we like (we hold the secret). */
function forge(fields: string[], secret = SECRET): string {
  const payload = fields.join(".");
  return `${payload}.${createHmac("sha256", secret).update(payload).digest("base64url")}`;
}

/** Replaces field `index` of a token, keeping the original mac. */
function withField(token: string, index: number, value: string): string {
  const parts = token.split(".");
  parts[index] = value;
  return parts.join(".");
}

describe("LinkTokens", () => {
  it("the test secret is exactly 32 bytes", () => {
    expect(Buffer.byteLength(SECRET)).toBe(32);
  });

  it("round trip: a signed token verifies to its subject", () => {
    const token = tokens.sign("manage", "bk_01HXYZ-abc", EXPIRES);
    expect(token).toBe(forge(["v1", "manage", "bk_01HXYZ-abc", EXPIRY_SECONDS]));
    expect(tokens.verify(token, "manage", NOW)).toBe("bk_01HXYZ-abc");
  });

  it.each<TokenPurpose>(["manage", "rebook", "unsubscribe", "csrf"])(
    "round trip for %s",
    (purpose) => {
      const token = tokens.sign(purpose, "patient-42", EXPIRES);
      expect(tokens.verify(token, purpose, NOW)).toBe("patient-42");
    },
  );

  it("a token verifies with another instance built from the same secret", () => {
    const token = tokens.sign("rebook", "p1", EXPIRES);
    expect(new LinkTokens(SECRET).verify(token, "rebook", NOW)).toBe("p1");
  });

  it("a token signed with another secret is refused", () => {
    const other = new LinkTokens("another-secret-that-is-32-bytes!");
    expect(tokens.verify(other.sign("manage", "b1", EXPIRES), "manage", NOW)).toBeNull();
  });

  describe("tampering", () => {
    const token = tokens.sign("manage", "booking-a", EXPIRES);
    const mac = token.split(".")[4] ?? "";

    it("the untampered token is accepted", () => {
      expect(tokens.verify(token, "manage", NOW)).toBe("booking-a");
      expect(mac).toHaveLength(43);
    });

    it("a changed mac is refused", () => {
      const flipped = `${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`;
      expect(tokens.verify(withField(token, 4, flipped), "manage", NOW)).toBeNull();
      expect(tokens.verify(withField(token, 4, mac.toUpperCase()), "manage", NOW)).toBeNull();
      expect(tokens.verify(withField(token, 4, mac.slice(0, -1)), "manage", NOW)).toBeNull();
      expect(tokens.verify(withField(token, 4, `${mac}A`), "manage", NOW)).toBeNull();
      expect(tokens.verify(withField(token, 4, ""), "manage", NOW)).toBeNull();
      expect(tokens.verify(withField(token, 4, `${"é".repeat(21)}x`), "manage", NOW)).toBeNull();
    });

    it("a changed subject is refused (another booking's id spliced in)", () => {
      expect(tokens.verify(withField(token, 2, "booking-b"), "manage", NOW)).toBeNull();
    });

    it("a changed purpose is refused", () => {
      expect(tokens.verify(withField(token, 1, "rebook"), "rebook", NOW)).toBeNull();
      expect(tokens.verify(withField(token, 1, "unsubscribe"), "unsubscribe", NOW)).toBeNull();
    });

    it("a changed expiry is refused", () => {
      const later = String(Number(EXPIRY_SECONDS) + 365 * 86_400);
      expect(tokens.verify(withField(token, 3, later), "manage", NOW)).toBeNull();
    });

    it("a changed version is refused", () => {
      expect(tokens.verify(withField(token, 0, "v2"), "manage", NOW)).toBeNull();
    });
  });

  describe("expiry", () => {
    const token = tokens.sign("manage", "b1", EXPIRES);

    it("is accepted up to the second before it expires", () => {
      expect(tokens.verify(token, "manage", new Date(EXPIRES.getTime() - 1000))).toBe("b1");
      expect(tokens.verify(token, "manage", new Date(EXPIRES.getTime() - 1))).toBe("b1");
    });

    it("is refused at and after its expiry", () => {
      expect(tokens.verify(token, "manage", EXPIRES)).toBeNull();
      expect(tokens.verify(token, "manage", new Date(EXPIRES.getTime() + 1))).toBeNull();
      expect(tokens.verify(token, "manage", new Date("2027-06-01T00:00:00Z"))).toBeNull();
    });

    it("an expiry in the past at signing is refused at once", () => {
      const stale = tokens.sign("manage", "b1", new Date(NOW.getTime() - 60_000));
      expect(tokens.verify(stale, "manage", NOW)).toBeNull();
    });

    it("sub-second expiries are truncated to the second", () => {
      const t = tokens.sign("manage", "b1", new Date("2026-12-01T08:00:00.999Z"));
      expect(t.split(".")[3]).toBe(EXPIRY_SECONDS);
    });
  });

  describe("purpose and subject", () => {
    it("a token of another purpose is refused", () => {
      const manage = tokens.sign("manage", "b1", EXPIRES);
      expect(tokens.verify(manage, "rebook", NOW)).toBeNull();
      expect(tokens.verify(manage, "unsubscribe", NOW)).toBeNull();
      const unsubscribe = tokens.sign("unsubscribe", "p1", EXPIRES);
      expect(tokens.verify(unsubscribe, "manage", NOW)).toBeNull();
    });

    it("another booking's token yields that booking's id, never this one's", () => {
      const tokenA = tokens.sign("manage", "booking-a", EXPIRES);
      const tokenB = tokens.sign("manage", "booking-b", EXPIRES);
      expect(tokens.verify(tokenA, "manage", NOW)).toBe("booking-a");
      expect(tokens.verify(tokenB, "manage", NOW)).toBe("booking-b");
      expect(tokenA).not.toBe(tokenB);
    });

    it("a genuine mac does not rescue an unknown version, purpose, expiry format or subject", () => {
      expect(
        tokens.verify(forge(["v2", "manage", "b1", EXPIRY_SECONDS]), "manage", NOW),
      ).toBeNull();
      expect(
        tokens.verify(forge(["v1", "admin", "b1", EXPIRY_SECONDS]), "admin" as TokenPurpose, NOW),
      ).toBeNull();
      expect(tokens.verify(forge(["v1", "manage", "b1", "never"]), "manage", NOW)).toBeNull();
      expect(tokens.verify(forge(["v1", "manage", "b1", "1e12"]), "manage", NOW)).toBeNull();
      expect(tokens.verify(forge(["v1", "manage", "b1", "-1"]), "manage", NOW)).toBeNull();
      expect(
        tokens.verify(forge(["v1", "manage", "b1", "9".repeat(13)]), "manage", NOW),
      ).toBeNull();
      expect(
        tokens.verify(forge(["v1", "manage", "b/1", EXPIRY_SECONDS]), "manage", NOW),
      ).toBeNull();
      expect(tokens.verify(forge(["v1", "manage", "", EXPIRY_SECONDS]), "manage", NOW)).toBeNull();
      expect(
        tokens.verify(forge(["v1", "manage", "a".repeat(65), EXPIRY_SECONDS]), "manage", NOW),
      ).toBeNull();
      // The same forgery with sane fields is accepted: the refusals above are about the fields.
      expect(tokens.verify(forge(["v1", "manage", "b1", EXPIRY_SECONDS]), "manage", NOW)).toBe(
        "b1",
      );
    });

    it.each(["", "a.b", "a b", "a/b", "ü", "a".repeat(65)])(
      "refuses to sign the subject %j",
      (subject) => {
        expect(() => tokens.sign("manage", subject, EXPIRES)).toThrow(/subject/);
      },
    );

    it("signs the longest allowed subject and stays under the length limit", () => {
      const subject = "a".repeat(64);
      const token = tokens.sign("unsubscribe", subject, EXPIRES);
      expect(token.length).toBeLessThanOrEqual(200);
      expect(tokens.verify(token, "unsubscribe", NOW)).toBe(subject);
    });
  });

  describe("garbage", () => {
    const good = tokens.sign("manage", "b1", EXPIRES);

    it.each([
      ["undefined", undefined],
      ["empty", ""],
      ["junk", "not-a-token"],
      ["dots only", "...."],
      ["four parts", "v1.manage.b1.1796112000"],
      ["six parts", `${good}.extra`],
      ["overlong", `${good}${"A".repeat(201)}`],
      [
        "overlong, well-formed",
        forge(["v1", "manage", "b".repeat(64), EXPIRY_SECONDS]) + "x".repeat(120),
      ],
      ["whitespace", ` ${good}`],
      ["unicode", "v1.manage.b1.1796112000.☃"],
    ] as [string, string | undefined][])("%s is refused", (_name, token) => {
      expect(tokens.verify(token, "manage", NOW)).toBeNull();
    });
  });

  describe("secret", () => {
    it.each([0, 1, 16, 31])("a %i-byte secret throws", (length) => {
      expect(() => new LinkTokens("s".repeat(length))).toThrow(/32 bytes/);
    });

    it("a 32-byte secret is enough, counted in bytes, not characters", () => {
      expect(() => new LinkTokens("s".repeat(32))).not.toThrow();
      expect(() => new LinkTokens("é".repeat(16))).not.toThrow(); // 16 characters, 32 bytes
      expect(() => new LinkTokens("é".repeat(15))).toThrow(/32 bytes/); // 30 bytes
    });
  });
});
