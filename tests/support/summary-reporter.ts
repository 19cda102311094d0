import type { Reporter, TestModule } from "vitest/node";

/**
 * Ends the run with the ten slowest test files, then one plain line,
 * `N passed, N failed`, counting a file that failed to load (or a failing hook)
 * as a failure.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<unknown>) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of modules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failedHere++;
        else skipped++;
      }
      // A file that failed to load, or whose hooks failed (its tests then count as
      // skipped), is a failure even though no test failed.
      failed += mod.state() === "failed" ? Math.max(failedHere, 1) : failedHere;
    }
    failed += unhandled.length;
    if (modules.length > 1) console.log(slowest(modules, 10));
    console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  }
}

function slowest(modules: ReadonlyArray<TestModule>, n: number): string {
  const rows = modules
    .map((m) => ({ file: m.relativeModuleId, ms: m.diagnostic().duration }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n);
  const width = Math.max(...rows.map((r) => r.file.length));
  const lines = rows.map((r) => `  ${r.file.padEnd(width)}  ${(r.ms / 1000).toFixed(1)} s`);
  return `\nSlowest test files:\n${lines.join("\n")}`;
}
