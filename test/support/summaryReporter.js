// Mocha's spec reporter, plus a closing line in the plain form CI tools read:
// "N passed, N failed" (and ", N skipped").
const { Spec } = require("mocha").reporters;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once("end", () => {
      const { passes, failures, pending } = runner.stats;
      console.log(`${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ""}`);
    });
  }
}

module.exports = SummaryReporter;
