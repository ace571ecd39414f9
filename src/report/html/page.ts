/**
 * Assembles the self-contained report page: stylesheet, script and the model
 * as JSON in one file. A Content-Security-Policy allows nothing from outside
 * (no network, no external assets) and only the inline script and style.
 * The model travels as gzip + base64 in an inert `<script type="application/octet-stream">`
 * (the page inflates it with DecompressionStream): base64 cannot close the
 * element whatever the payloads hold, and a 10,000-call report stays a few MB.
 */
import { gzipSync } from 'node:zlib';
import { REPORT_SCRIPT } from './client.js';
import type { ReportModel } from './model.js';
import { REPORT_CSS } from './style.js';

export function renderReportHtml(model: ReportModel): string {
  const title = `SIPvestigator report: ${model.title}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<div class="meta">generated ${escapeHtml(model.generated)} by sipvestigator from ${escapeHtml(model.inputs.join(', '))}</div>
</header>
<main>
<h2>Summary</h2>
<div class="cards" id="summary"></div>
<h2>Calls</h2>
<div class="controls"><input id="filter" type="search" placeholder="filter: number, IP, status, Call-ID…" aria-label="filter calls"><span id="count" class="hint"></span></div>
<div class="tablewrap" id="tablewrap"><table class="calls" id="calls"><thead id="calls-head"></thead><tbody id="calls-body"></tbody></table></div>
<section id="detail"><p class="hint">Click a call to see its ladder diagram, messages and findings.</p></section>
</main>
<script type="application/octet-stream" id="sipv-data">${packModel(model)}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The model as JSON, gzip-compressed and base64-encoded, wrapped at 76 columns. */
export function packModel(model: ReportModel): string {
  return gzipSync(JSON.stringify(model)).toString('base64').replace(/.{76}/g, '$&\n');
}
