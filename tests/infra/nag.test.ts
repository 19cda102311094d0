import type { PolicyValidationPluginReport } from "aws-cdk-lib";
import { AwsSolutionsChecks, HIPAASecurityChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { synthClinic } from "./synth";

type Violation = PolicyValidationPluginReport["violations"][number];

const packs = () => [new AwsSolutionsChecks(), new HIPAASecurityChecks()];
const findings = (scope: Parameters<AwsSolutionsChecks["validateScope"]>[0]) =>
  packs().flatMap((p) => p.validateScope(scope).violations);
const describeAll = (vs: Violation[]) =>
  vs.map(
    (v) => `${v.severity} ${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath)}`,
  );

describe("cdk-nag: AwsSolutions and HIPAA Security", () => {
  const checked = synthClinic();
  const open = findings(checked.app);

  it("leaves no unsuppressed error", () => {
    expect(describeAll(open.filter((v) => v.severity === "error"))).toEqual([]);
  });

  it("leaves no unsuppressed warning either", () => {
    expect(describeAll(open)).toEqual([]);
  });

  it("gives every suppression a specific reason naming its resource", () => {
    const { suppressions } = checked;
    expect(suppressions.length).toBeGreaterThan(10);
    const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
    for (const s of suppressions) {
      expect(s.reason.length, `${s.id} on ${s.path}`).toBeGreaterThanOrEqual(100);
      const segments = s.path.split("/").slice(1).map(squash);
      const named = segments.some((seg) => seg.length > 2 && squash(s.reason).includes(seg));
      expect(named, `${s.id} on ${s.path}: reason should name the resource`).toBe(true);
    }
    const ids = suppressions.map((s) => `${s.path} ${s.id}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("suppresses only findings that exist (nothing stale), on the resource that has them", () => {
    const raw = findings(synthClinic({}, { suppress: false }).app);
    for (const s of checked.suppressions) {
      const match = raw.find(
        (v) =>
          v.ruleName === s.id &&
          v.violatingResources.some((r) => `${r.constructPath}/`.startsWith(`${s.path}/`)),
      );
      expect(match, `stale suppression ${s.id} on ${s.path}`).toBeDefined();
    }
  });

  it("runs as CDK validation plugins at synth (`-c nag=true`) without failing it", () => {
    expect(() => synthClinic({}, { plugins: packs() })).not.toThrow();
    // ...and the same plugins do fail synth when a finding is not acknowledged.
    expect(() => synthClinic({}, { suppress: false, plugins: packs() })).toThrow(
      /AwsSolutions-SMG4/,
    );
  });
});
