import { describe, expect, it } from "vitest";
import { errorForLog } from "../../functions/api/errors";

describe("what the log keeps of an unexpected error", () => {
  it("its name and stack frames, never its message", () => {
    const err = new TypeError("cannot read ana@example.com of undefined");
    const logged = errorForLog(err);
    expect(logged.errorName).toBe("TypeError");
    expect(logged.stack).toMatch(/^\s+at /);
    expect(JSON.stringify(logged)).not.toContain("ana@example.com");
  });

  it("something thrown that is not an Error: only its type", () => {
    expect(errorForLog("ana@example.com")).toEqual({ errorName: "string" });
  });
});
