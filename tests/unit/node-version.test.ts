import { describe, expect, it } from "vitest";
import { assertNodeVersion, NODE_MAJOR } from "../../local/services/node-version";

describe("the Node version check", () => {
  it("runs on the functions' Node", () => {
    expect(NODE_MAJOR).toBe(24);
    expect(assertNodeVersion()).toBe(process.versions.node);
  });

  it("accepts Node 24 and newer", () => {
    expect(assertNodeVersion("24.0.0")).toBe("24.0.0");
    expect(assertNodeVersion("26.1.2")).toBe("26.1.2");
  });

  it.each(["20.20.2", "22.22.2", "garbage"])("refuses %s with what to do", (version) => {
    expect(() => assertNodeVersion(version)).toThrow(
      new RegExp(`Node 24 or newer, found ${version}.*npm ci`),
    );
  });
});
