import { describe, expect, it } from "vitest";
import { LinkTokens } from "../../shared/adapters/auth/link-tokens";
import { manageUrl } from "../../shared/services/links";

/** A manage link in an email stays valid at least 30 days after that email is sent. */

const tokens = new LinkTokens("test-secret-that-is-32-bytes-ok!");
const deps = { tokens, publicBaseUrl: "https://clinic.test" };
const DAY = 86_400_000;
const START = "2026-12-08T21:00:00.000Z";

const tokenOf = (url: string) => new URL(url).searchParams.get("token") ?? "";
const validAt = (url: string, at: number) =>
  tokens.verify(tokenOf(url), "manage", new Date(at)) === "bk-1";

describe("manageUrl", () => {
  it("without a send time: valid until 30 days after the session, not after", () => {
    const url = manageUrl(deps, "bk-1", START);
    expect(validAt(url, Date.parse(START) + 30 * DAY - 1000)).toBe(true);
    expect(validAt(url, Date.parse(START) + 30 * DAY + 1000)).toBe(false);
  });

  it("in the day-42 email: valid 30 days after that email, not dead on arrival", () => {
    const sentAt = new Date(Date.parse(START) + 42 * DAY);
    const url = manageUrl(deps, "bk-1", START, sentAt);
    expect(validAt(url, sentAt.getTime())).toBe(true);
    expect(validAt(url, sentAt.getTime() + 30 * DAY - 1000)).toBe(true);
    expect(validAt(url, sentAt.getTime() + 30 * DAY + 1000)).toBe(false);
  });

  it("an email sent before the session keeps the session's own 30 days", () => {
    const url = manageUrl(deps, "bk-1", START, new Date(Date.parse(START) - 20 * DAY));
    expect(validAt(url, Date.parse(START) + 29 * DAY)).toBe(true);
  });
});
