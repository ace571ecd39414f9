/** The HTML report in headless Debian Chromium (the tests: report-browser.ts). */
import { reportTests } from './report-browser.js';

reportTests('chromium');
