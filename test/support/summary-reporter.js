// Prints one plain closing line that any CI log reader understands: "tests: N passed, N failed".
'use strict';

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const suitesFailed = results.numFailedTestSuites;
    process.stderr.write(
      `\ntests: ${results.numPassedTests} passed, ${results.numFailedTests + (suitesFailed > 0 && results.numFailedTests === 0 ? suitesFailed : 0)} failed` +
        (skipped > 0 ? `, ${skipped} skipped` : '') +
        '\n',
    );
  }
}

module.exports = SummaryReporter;
