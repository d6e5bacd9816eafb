// Counts a vitest JSON report the way CI does. Usage as a program: node scripts/count-vitest-report.mjs <report.json>
// prints "<passed> <failed> <skipped>".
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A test file that failed with no failed test of its own — it did not load, or a beforeAll hook threw and its tests
 * were reported skipped — counts as one failure, as does a test left unfinished.
 */
export function countVitestReport(path) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  const unloaded = report.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  ).length;
  const skipped = report.numPendingTests + report.numTodoTests;
  const unfinished = report.numTotalTests - report.numPassedTests - report.numFailedTests - skipped;
  return { passed: report.numPassedTests, failed: report.numFailedTests + unloaded + unfinished, skipped };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { passed, failed, skipped } = countVitestReport(process.argv[2]);
  console.log(passed, failed, skipped);
}
