// Karma for the portal's unit specs: Debian's Chromium, headless, and a small reporter that writes
// the counts to $HP_TEST_RESULTS/portal-plugin.json for the top-level test command.
const fs = require('node:fs');
const path = require('node:path');

process.env.CHROME_BIN = process.env.CHROME_BIN || '/usr/bin/chromium';

function CountsReporter(baseReporterDecorator) {
  baseReporterDecorator(this);
  const counts = { passed: 0, failed: 0, skipped: 0 };
  this.onSpecComplete = (_browser, result) => {
    if (result.skipped || result.disabled || result.pending) counts.skipped++;
    else if (result.success) counts.passed++;
    else counts.failed++;
  };
  this.onRunComplete = (_browsers, results) => {
    // A browser that crashed or a suite that failed to load is a failure even with no spec results.
    if (results.error || results.disconnected) counts.failed = Math.max(counts.failed, 1);
    const dir = process.env.HP_TEST_RESULTS;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'portal-plugin.json'), JSON.stringify(counts));
  };
  // Only this reporter's side effect matters; the spec reporter output comes from 'progress'.
  this.adapters = [];
}
CountsReporter.$inject = ['baseReporterDecorator'];

module.exports = function (config) {
  config.set({
    basePath: '',
    frameworks: ['jasmine'],
    plugins: [
      require('karma-jasmine'),
      require('karma-chrome-launcher'),
      { 'reporter:hp-counts': ['type', CountsReporter] },
    ],
    client: { jasmine: { random: false }, clearContext: false },
    reporters: ['dots', 'hp-counts'],
    browsers: ['ChromiumHeadlessNoSandbox'],
    customLaunchers: {
      ChromiumHeadlessNoSandbox: {
        base: 'ChromeHeadless',
        flags: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-dev-shm-usage'],
      },
    },
    browserNoActivityTimeout: 60000,
    // On a loaded machine the headless browser can miss karma's 2 s ping while a large bundle parses.
    browserDisconnectTimeout: 30000,
    browserDisconnectTolerance: 1,
    singleRun: true,
    restartOnFileChange: false,
  });
};
