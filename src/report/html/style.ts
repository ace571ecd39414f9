/** The report's stylesheet, inlined into the page (no external assets). */
export const REPORT_CSS = `
:root { --fg:#1d232b; --muted:#5c6773; --line:#d5dbe1; --bg:#fff; --alt:#f5f7f9; --req:#0b63b6; --ok:#1a7f37; --prov:#9a6700; --err:#c62828; --rep:#8c959f; --sel:#fff3c4; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 12px 20px; border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0; }
header .meta { color: var(--muted); font-size: 12px; }
main { padding: 12px 20px; }
h2 { font-size: 15px; margin: 18px 0 8px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 140px; }
.card .big { font-size: 22px; font-weight: 600; }
.card table { border-collapse: collapse; font-size: 13px; }
.card td { padding: 1px 8px 1px 0; }
.controls { display: flex; gap: 12px; align-items: center; margin: 8px 0; }
.controls input { padding: 4px 8px; width: 320px; font: inherit; }
.tablewrap { max-height: 45vh; overflow: auto; border: 1px solid var(--line); }
table.calls { border-collapse: collapse; width: 100%; font-size: 13px; }
table.calls th { position: sticky; top: 0; background: var(--alt); text-align: left; cursor: pointer; user-select: none; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
table.calls th.sorted-asc::after { content: " \\25B2"; font-size: 10px; }
table.calls th.sorted-desc::after { content: " \\25BC"; font-size: 10px; }
table.calls td { padding: 3px 8px; border-bottom: 1px solid var(--alt); white-space: nowrap; max-width: 360px; overflow: hidden; text-overflow: ellipsis; }
table.calls tbody tr { cursor: pointer; }
table.calls tbody tr:hover { background: var(--alt); }
table.calls tbody tr.selected { background: var(--sel); }
.num { text-align: right; }
.st-ok { color: var(--ok); } .st-prov { color: var(--prov); } .st-err { color: var(--err); }
.sev { display: inline-block; border-radius: 3px; padding: 0 5px; font-size: 11px; color: #fff; }
.sev-error { background: var(--err); } .sev-warning { background: var(--prov); } .sev-info { background: var(--req); }
#detail { margin-top: 16px; }
#detail .panes { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; }
.ladderwrap { overflow: auto; border: 1px solid var(--line); max-height: 70vh; }
svg.ladder { font: 12px system-ui, sans-serif; }
svg.ladder .life { stroke: #aab4be; stroke-dasharray: 3 3; }
svg.ladder .head { font-weight: 600; }
svg.ladder .name, svg.ladder .time { fill: var(--muted); }
svg.ladder g.arrow { cursor: pointer; }
svg.ladder g.arrow line, svg.ladder g.arrow path { stroke-width: 1.5; fill: none; }
svg.ladder g.arrow path.tip { stroke-width: 0; fill: inherit; }
svg.ladder g.arrow.req { stroke: var(--req); fill: var(--req); }
svg.ladder g.arrow.ok { stroke: var(--ok); fill: var(--ok); }
svg.ladder g.arrow.prov { stroke: var(--prov); fill: var(--prov); }
svg.ladder g.arrow.err { stroke: var(--err); fill: var(--err); }
svg.ladder g.arrow.rep { stroke: var(--rep); fill: var(--rep); }
svg.ladder g.arrow.rep line { stroke-dasharray: 5 3; }
svg.ladder g.arrow text { stroke: none; }
svg.ladder g.arrow.selected text { font-weight: 700; }
svg.ladder g.arrow .hit { stroke: transparent; stroke-width: 14; }
ul.msgs { list-style: none; padding: 0; margin: 0; max-height: 30vh; overflow: auto; border: 1px solid var(--line); font-size: 13px; }
ul.msgs li { padding: 2px 6px; display: flex; gap: 6px; align-items: center; cursor: pointer; white-space: nowrap; }
ul.msgs li.selected { background: var(--sel); }
pre.sip { white-space: pre-wrap; word-break: break-all; background: var(--alt); padding: 8px; margin: 8px 0; font: 12px/1.35 ui-monospace, Menlo, Consolas, monospace; max-height: 50vh; overflow: auto; }
pre.sip .sl { font-weight: 700; }
pre.sip .hn { color: var(--req); }
pre.sip .key .hn { font-weight: 700; }
pre.sip .key { background: #e8f1fb; }
pre.sip .body { color: #4a5560; }
table.diff { border-collapse: collapse; width: 100%; font: 12px/1.35 ui-monospace, Menlo, Consolas, monospace; table-layout: fixed; }
table.diff td { vertical-align: top; padding: 0 6px; white-space: pre-wrap; word-break: break-all; border-right: 1px solid var(--line); }
table.diff tr.chg td { background: #fff1d6; }
table.diff tr.chg td.miss { background: #f3f3f3; }
ul.findings { padding-left: 18px; }
ul.findings li { margin-bottom: 8px; }
ul.findings .advice { color: var(--muted); }
ul.findings pre { margin: 4px 0; font-size: 11px; background: var(--alt); padding: 4px; white-space: pre-wrap; word-break: break-all; }
a.ev { cursor: pointer; color: var(--req); text-decoration: underline; margin-right: 6px; }
.hint { color: var(--muted); font-size: 12px; }
`;
