/** The HTML report in headless Debian Firefox ESR over WebDriver BiDi (the tests: report-browser.ts). */
import { reportTests } from './report-browser.js';

reportTests('firefox');
