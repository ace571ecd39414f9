/**
 * The report page's script, inlined as text. It reads the embedded JSON model
 * and builds every view with DOM calls: payload text only ever reaches the page
 * through `textContent` and SVG text nodes, never through HTML parsing, so a
 * hostile header cannot inject markup or script. A call's ladder and messages
 * are built only when the call is opened, which keeps 10,000-call reports fast.
 *
 * Plain ES2017 in a string (the project's TypeScript has no DOM library); keep
 * it free of backticks and `${`.
 */
export const REPORT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data;
  var SVGNS = 'http://www.w3.org/2000/svg';
  var KEY_HEADERS = { 'via': 1, 'v': 1, 'from': 1, 'f': 1, 'to': 1, 't': 1, 'call-id': 1, 'i': 1, 'cseq': 1, 'contact': 1, 'm': 1,
    'record-route': 1, 'route': 1, 'p-asserted-identity': 1, 'diversion': 1, 'history-info': 1, 'warning': 1, 'content-type': 1, 'c': 1 };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function statusClass(s) {
    if (s === null || s === undefined) return '';
    return s < 200 ? 'st-prov' : s < 300 ? 'st-ok' : 'st-err';
  }
  function clear(node) { node.textContent = ''; }

  // ---- summary ----
  function card(title, big, rows) {
    var c = el('div', 'card');
    c.appendChild(el('div', 'hint', title));
    if (big !== null) c.appendChild(el('div', 'big', big));
    if (rows) {
      var t = el('table');
      rows.forEach(function (r) {
        var tr = el('tr');
        r.forEach(function (cell, i) { tr.appendChild(el('td', i > 0 ? 'num' : '', cell)); });
        t.appendChild(tr);
      });
      c.appendChild(t);
    }
    return c;
  }
  function renderSummary() {
    var s = data.summary;
    var box = document.getElementById('summary');
    box.appendChild(card('Calls', s.calls, [['SIP messages', s.messages]]));
    box.appendChild(card('Answer-seizure ratio', s.asr === null ? 'n/a' : s.asr + ' %', [['INVITE calls', s.inviteCalls], ['answered', s.answered]]));
    box.appendChild(card('Failure causes', null, s.failureCauses.length ? s.failureCauses.map(function (f) { return [f.status + ' ' + f.reason, f.calls]; }) : [['none', '']]));
    box.appendChild(card('Top talkers', null, s.topTalkers.map(function (t) { return [t.ip, t.calls + ' calls']; })));
    box.appendChild(card('Findings', null, s.findings.length ? s.findings.map(function (f) { return [f.code, f.count]; }) : [['none', '']]));
  }

  // ---- call table ----
  var COLUMNS = [
    { key: 'index', title: '#', num: true },
    { key: 'start', title: 'Start (UTC)' },
    { key: 'firstMethod', title: 'Method' },
    { key: 'from', title: 'From' },
    { key: 'to', title: 'To' },
    { key: 'srcIp', title: 'Source' },
    { key: 'dstIp', title: 'Destination' },
    { key: 'finalStatus', title: 'Status', num: true },
    { key: 'messages', title: 'Msgs', num: true },
    { key: 'retransmissions', title: 'Rtx', num: true },
    { key: 'findings', title: 'Findings', num: true },
    { key: 'callId', title: 'Call-ID' }
  ];
  var order = [];
  var haystack = [];
  var sortKey = 'index', sortDir = 1, filterText = '', selected = -1;
  var rows = [];

  function buildTable() {
    var head = document.getElementById('calls-head');
    var tr = el('tr');
    COLUMNS.forEach(function (col) {
      var th = el('th', col.num ? 'num' : '', col.title);
      th.setAttribute('data-key', col.key);
      th.addEventListener('click', function () {
        sortDir = sortKey === col.key ? -sortDir : 1;
        sortKey = col.key;
        renderRows();
      });
      tr.appendChild(th);
    });
    head.appendChild(tr);
    rows = data.calls.map(function (c, i) {
      var r = el('tr');
      r.setAttribute('data-call', String(i));
      COLUMNS.forEach(function (col) {
        var v = c[col.key];
        var td = el('td', col.num ? 'num' : '', v === null ? '-' : v);
        if (col.key === 'finalStatus') td.className += ' ' + statusClass(v);
        if (col.key === 'findings' && c.worst) { clear(td); td.appendChild(el('span', 'sev sev-' + c.worst, v)); }
        if (col.key === 'callId' || col.key === 'from' || col.key === 'to') td.title = String(v);
        r.appendChild(td);
      });
      r.addEventListener('click', function () { openCall(i); });
      return r;
    });
    document.getElementById('tablewrap').addEventListener('scroll', onTableScroll);
    document.getElementById('filter').addEventListener('input', function (e) {
      filterText = e.target.value.toLowerCase();
      renderRows();
    });
  }
  function compare(a, b) {
    var x = data.calls[a][sortKey], y = data.calls[b][sortKey];
    if (x === y) return a - b;
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * sortDir;
  }
  // Rows are attached a page at a time as the table scrolls: a 10,000-row table
  // laid out at once takes seconds, the first page takes milliseconds.
  var PAGE = 300, visible = [], attached = 0;
  function renderRows() {
    order.sort(compare);
    visible = order.filter(function (i) { return !filterText || haystack[i].indexOf(filterText) >= 0; });
    var body = document.getElementById('calls-body');
    body.textContent = '';
    attached = 0;
    attachMore();
    document.getElementById('count').textContent = visible.length + ' of ' + data.calls.length + ' calls';
    Array.prototype.forEach.call(document.querySelectorAll('#calls-head th'), function (th) {
      th.classList.remove('sorted-asc', 'sorted-desc');
      if (th.getAttribute('data-key') === sortKey) th.classList.add(sortDir > 0 ? 'sorted-asc' : 'sorted-desc');
    });
  }
  function attachMore() {
    var frag = document.createDocumentFragment();
    var end = Math.min(visible.length, attached + PAGE);
    for (; attached < end; attached++) frag.appendChild(rows[visible[attached]]);
    document.getElementById('calls-body').appendChild(frag);
  }
  function onTableScroll(e) {
    var w = e.target;
    if (attached < visible.length && w.scrollTop + w.clientHeight > w.scrollHeight - 400) attachMore();
  }

  // ---- ladder (SVG, drawn on demand) ----
  function arrowClass(a) {
    if (a.repeat) return 'rep';
    if (a.status === null) return 'req';
    return a.status < 200 ? 'prov' : a.status < 300 ? 'ok' : 'err';
  }
  function arrowText(a) {
    var t = a.label;
    if (a.sdp) t += ' (SDP ' + a.sdp + ')';
    if (a.repeat === 'retransmission') t += ' [rtx]';
    else if (a.repeat === 'duplicate') t += ' [dup]';
    return t;
  }
  function drawLadder(ladder, onPick) {
    var COL = 190, LEFT = 70, TOP = 56, ROW = 30;
    var n = Math.max(ladder.endpoints.length, 1);
    var width = LEFT + n * COL;
    var height = TOP + ladder.arrows.length * ROW + 20;
    var s = svg('svg', { 'class': 'ladder', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height });
    function x(col) { return LEFT + col * COL + COL / 2; }
    ladder.endpoints.forEach(function (e, i) {
      s.appendChild(svg('text', { x: x(i), y: 16, 'text-anchor': 'middle', 'class': 'head' }, e.address));
      if (e.name) s.appendChild(svg('text', { x: x(i), y: 32, 'text-anchor': 'middle', 'class': 'name' }, e.name.length > 30 ? e.name.slice(0, 29) + '\u2026' : e.name));
      s.appendChild(svg('line', { x1: x(i), y1: 40, x2: x(i), y2: height - 6, 'class': 'life' }));
    });
    ladder.arrows.forEach(function (a, k) {
      var y = TOP + k * ROW + 14;
      var g = svg('g', { 'class': 'arrow ' + arrowClass(a), 'data-index': a.index });
      var x1 = x(a.from), x2 = x(a.to);
      s.appendChild(svg('text', { x: 4, y: y + 4, 'class': 'time' }, a.at.toFixed(3)));
      if (a.from === a.to) {
        g.appendChild(svg('path', { d: 'M' + x1 + ',' + (y - 6) + ' h30 v12 h-28' }));
        g.appendChild(svg('path', { d: 'M' + x1 + ',' + (y + 6) + ' l8,-4 v8 z', 'class': 'tip' }));
        g.appendChild(svg('text', { x: x1 + 36, y: y + 4 }, arrowText(a)));
      } else {
        g.appendChild(svg('line', { x1: x1, y1: y, x2: x2, y2: y, 'class': 'hit' }));
        var dir = x2 > x1 ? -1 : 1;
        g.appendChild(svg('line', { x1: x1, y1: y, x2: x2 + dir * 6, y2: y }));
        g.appendChild(svg('path', { d: 'M' + x2 + ',' + y + ' l' + (dir * 9) + ',-4 v8 z', 'class': 'tip' }));
        g.appendChild(svg('text', { x: (x1 + x2) / 2, y: y - 5, 'text-anchor': 'middle' }, arrowText(a)));
      }
      var title = svg('title', {}, a.time + '  ' + ladder.endpoints[a.from].address + ' \u2192 ' + ladder.endpoints[a.to].address + '  ' + a.transport.toUpperCase());
      g.appendChild(title);
      g.addEventListener('click', function () { onPick(a.index); });
      s.appendChild(g);
    });
    return s;
  }

  // ---- messages ----
  function renderMessage(m) {
    var pre = el('pre', 'sip');
    var lines = m.raw.split(/\r?\n/);
    var inBody = false;
    lines.forEach(function (line, i) {
      var span;
      if (i === 0) span = el('span', 'sl', line);
      else if (inBody) span = el('span', 'body', line);
      else if (line === '') { inBody = true; span = el('span', '', ''); }
      else {
        var colon = line.indexOf(':');
        var name = colon > 0 ? line.slice(0, colon) : '';
        span = el('span', KEY_HEADERS[name.trim().toLowerCase()] ? 'key' : '');
        if (colon > 0 && !/^[ \t]/.test(line)) {
          span.appendChild(el('span', 'hn', name));
          span.appendChild(document.createTextNode(line.slice(colon)));
        } else span.textContent = line;
      }
      pre.appendChild(span);
      pre.appendChild(document.createTextNode('\n'));
    });
    return pre;
  }
  /** Line diff by longest common subsequence (messages are tens of lines). */
  function diffLines(a, b) {
    var n = a.length, m = b.length, i, j;
    var L = [];
    for (i = 0; i <= n; i++) { L.push(new Array(m + 1).fill(0)); }
    for (i = n - 1; i >= 0; i--) for (j = m - 1; j >= 0; j--) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
    var out = [];
    i = 0; j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) { out.push([a[i], b[j], false]); i++; j++; }
      else if (j < m && (i >= n || L[i][j + 1] >= L[i + 1][j])) { out.push([null, b[j], true]); j++; }
      else { out.push([a[i], null, true]); i++; }
    }
    return out;
  }
  function renderDiff(ma, mb) {
    var t = el('table', 'diff');
    var head = el('tr');
    head.appendChild(el('th', '', '[' + ma.index + '] ' + ma.src + ' \u2192 ' + ma.dst));
    head.appendChild(el('th', '', '[' + mb.index + '] ' + mb.src + ' \u2192 ' + mb.dst));
    t.appendChild(head);
    diffLines(ma.raw.split(/\r?\n/), mb.raw.split(/\r?\n/)).forEach(function (d) {
      var tr = el('tr', d[2] ? 'chg' : '');
      tr.appendChild(el('td', d[0] === null ? 'miss' : '', d[0] === null ? '' : d[0]));
      tr.appendChild(el('td', d[1] === null ? 'miss' : '', d[1] === null ? '' : d[1]));
      t.appendChild(tr);
    });
    return t;
  }

  // ---- one call ----
  function openCall(i) {
    selected = i;
    rows.forEach(function (r, k) { r.classList.toggle('selected', k === i); });
    var c = data.calls[i], d = data.details[i];
    var box = document.getElementById('detail');
    clear(box);
    box.appendChild(el('h2', '', 'Call ' + c.index + ': ' + (c.firstMethod || '?') + ' ' + c.from + ' \u2192 ' + c.to + '  (' + c.callId + ')'));
    var panes = el('div', 'panes');
    var left = el('div'), right = el('div');
    panes.appendChild(left); panes.appendChild(right);
    box.appendChild(panes);
    var ladderWrap = el('div', 'ladderwrap');
    ladderWrap.id = 'ladder';
    left.appendChild(ladderWrap);
    var list = el('ul', 'msgs');
    var view = el('div');
    view.id = 'message';
    right.appendChild(el('div', 'hint', 'Click an arrow or a message; tick two messages to compare them side by side.'));
    right.appendChild(list);
    right.appendChild(view);
    var ticked = [];
    var items = d.messages.map(function (m, k) {
      var li = el('li');
      li.setAttribute('data-index', String(k));
      var box2 = el('input');
      box2.type = 'checkbox';
      box2.title = 'compare';
      box2.addEventListener('click', function (e) {
        e.stopPropagation();
        if (box2.checked) ticked.push(k); else ticked = ticked.filter(function (t) { return t !== k; });
        while (ticked.length > 2) { var old = ticked.shift(); items[old].firstChild.checked = false; }
        if (ticked.length === 2) { clear(view); view.appendChild(renderDiff(d.messages[ticked[0]], d.messages[ticked[1]])); }
      });
      li.appendChild(box2);
      li.appendChild(el('span', '', '[' + k + '] ' + m.time.slice(11, 26) + ' ' + d.ladder.arrows[k].label + ' (' + m.src + ' \u2192 ' + m.dst + ')'));
      li.addEventListener('click', function () { pick(k); });
      list.appendChild(li);
      return li;
    });
    function pick(k) {
      items.forEach(function (li, n) { li.classList.toggle('selected', n === k); });
      Array.prototype.forEach.call(ladderWrap.querySelectorAll('g.arrow'), function (g) {
        g.classList.toggle('selected', g.getAttribute('data-index') === String(k));
      });
      clear(view);
      var m = d.messages[k];
      view.appendChild(el('div', 'hint', m.time + '  ' + m.src + ' \u2192 ' + m.dst + '  ' + m.transport.toUpperCase() + '  frame ' + m.frame));
      view.appendChild(renderMessage(m));
      items[k].scrollIntoView({ block: 'nearest' });
    }
    ladderWrap.appendChild(drawLadder(d.ladder, pick));
    if (d.findings.length) {
      left.appendChild(el('h2', '', 'Findings'));
      var ul = el('ul', 'findings');
      d.findings.forEach(function (f) {
        var li = el('li');
        li.appendChild(el('span', 'sev sev-' + f.severity, f.severity));
        li.appendChild(document.createTextNode(' '));
        li.appendChild(el('code', '', f.code));
        li.appendChild(document.createTextNode(' ' + f.summary + ' '));
        f.messages.forEach(function (k) {
          var a = el('a', 'ev', 'message ' + k);
          a.setAttribute('data-message', String(k));
          a.addEventListener('click', function () { pick(k); });
          li.appendChild(a);
        });
        li.appendChild(el('div', 'advice', f.advice));
        li.appendChild(el('pre', '', JSON.stringify(f.evidence)));
        ul.appendChild(li);
      });
      left.appendChild(ul);
    }
    if (d.messages.length) pick(0);
    box.scrollIntoView({ block: 'start' });
  }

  /** The model is gzip + base64 (a tenth of the size for big reports); the browser inflates it. */
  function loadModel() {
    var text = document.getElementById('sipv-data').textContent.trim();
    var bin = atob(text);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).text().then(JSON.parse);
  }
  loadModel().then(function (model) {
    data = model;
    order = data.calls.map(function (_, i) { return i; });
    haystack = data.calls.map(function (c) {
      return COLUMNS.map(function (col) { return c[col.key] === null ? '' : String(c[col.key]); }).join(' ').toLowerCase();
    });
    renderSummary();
    buildTable();
    renderRows();
    window.sipvReport = { openCall: openCall, calls: data.calls.length };
    document.body.setAttribute('data-ready', 'true');
  }, function (e) {
    document.getElementById('detail').textContent = 'This report could not be read: ' + e;
    throw e;
  });
})();
`;
