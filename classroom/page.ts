/**
 * The instructor's page: static HTML, a stylesheet and a script, served with a Content-Security-Policy that
 * allows no inline script. Everything a learner sent is put on the page with textContent, never as HTML,
 * so a name like `<img src=x onerror=alert(1)>` shows as those characters.
 */
import type { Messages } from '../i18n/index.js';

export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** HTML-escapes a catalogue text (ours, but kept safe all the same). */
const h = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The page in the instructor's language (`boxlab --lang`, BOXLAB_LANG, the locale), from the catalogue. */
export const pageHtml = (m: Messages) => `<!doctype html>
<html lang="${h(m.crPageLang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>boxlab classroom</title>
<link rel="stylesheet" href="/page.css">
<script src="/page.js" defer></script>
</head>
<body>
<header>
  <h1>boxlab classroom</h1>
  <span id="status" class="status">${h(m.crPageStatus)}</span>
  <span id="summary"></span>
</header>
<section class="actions">
  <button id="release" type="button">${h(m.crPageRelease)}</button>
  <form id="hint-form"><input id="hint" maxlength="1000" placeholder="${h(m.crPageHintPlaceholder)}" autocomplete="off"><button type="submit">${h(m.crPageSendHint)}</button></form>
  <a id="export-csv" href="#">${h(m.crPageExportCsv)}</a> <a id="export-json" href="#">${h(m.crPageExportJson)}</a>
  <span id="action-result" role="status"></span>
</section>
<main>
  <table id="room"><thead></thead><tbody></tbody></table>
  <p id="empty" class="empty">${h(m.crPageEmpty)} <code>boxlab classroom join URL --name NAME --code CODE</code></p>
</main>
<footer>${h(m.crPageFooter)}</footer>
</body>
</html>
`;

export const PAGE_CSS = `
body { font: 14px system-ui, sans-serif; margin: 1rem; color: #222; }
header { display: flex; gap: 1rem; align-items: baseline; }
h1 { font-size: 1.3rem; margin: 0; }
.status { font-size: .85rem; padding: .1rem .5rem; border-radius: .5rem; background: #eee; }
.status.live { background: #d4f4d4; }
.actions { display: flex; gap: .75rem; align-items: center; margin: .75rem 0; flex-wrap: wrap; }
#hint { width: 24rem; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: .2rem .4rem; vertical-align: top; }
th.step { font-weight: normal; font-size: .75rem; max-width: 9rem; }
th.lesson { background: #f3f3f3; }
td.cell { min-width: 3rem; max-width: 12rem; font-size: .75rem; }
td.passed { background: #c9efc9; text-align: center; }
td.failing { background: #f8d0d0; }
td.failing .text { display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 12rem; }
td.name { font-weight: 600; white-space: nowrap; max-width: 14rem; overflow: hidden; text-overflow: ellipsis; }
tr.stuck td.name { background: #ffe9a8; }
.stuck-why { display: block; font-weight: normal; font-size: .7rem; color: #7a5200; }
.bar { height: .6rem; background: #eee; position: relative; min-width: 3rem; }
.bar .fill { position: absolute; left: 0; top: 0; bottom: 0; background: #3a9d3a; }
.bar-label { font-size: .7rem; }
.empty { color: #666; }
footer { margin-top: 1rem; font-size: .8rem; color: #666; }
`;

/** The page's words the script writes, as one JSON object (JSON.stringify: no text can break out of it). */
const pageWords = (m: Messages) => JSON.stringify({
  learner: m.crPageLearner, learners: m.crPageLearners, room: m.crPageRoom, failing: m.crPageFailing, results: m.crPageResults,
  next: m.crPageNext, allReleased: m.crPageAllReleased, live: m.crPageLive, reconnecting: m.crPageReconnecting,
  released: m.crPageReleasedOne, hintSent: m.crPageHintSent, failed: m.crPageFailed,
}).replace(/</g, '\\u003c');

export const pageJs = (m: Messages) => `'use strict';
(() => {
  const W = ${pageWords(m)};
  const key = new URLSearchParams(location.search).get('key') || '';
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  $('export-csv').href = '/api/export.csv?key=' + encodeURIComponent(key);
  $('export-json').href = '/api/export.json?key=' + encodeURIComponent(key);

  function render(view) {
    const thead = $('room').tHead;
    const tbody = $('room').tBodies[0];
    const lessonRow = el('tr');
    const stepRow = el('tr');
    const barRow = el('tr', 'bars');
    lessonRow.append(el('th', '', W.learner));
    stepRow.append(el('th', '', view.rows.length + ' ' + W.learners));
    barRow.append(el('th', '', W.room));
    let col = 0;
    for (const lesson of view.lessons) {
      const th = el('th', 'lesson', lesson.id + ': ' + lesson.title);
      th.colSpan = lesson.steps.length;
      lessonRow.append(th);
      lesson.steps.forEach((title, i) => {
        const s = el('th', 'step', (i + 1) + '. ' + title);
        s.dataset.col = String(col);
        stepRow.append(s);
        const b = view.bars[col];
        const td = el('td', 'bar-cell');
        td.dataset.col = String(col);
        const bar = el('div', 'bar');
        const fill = el('div', 'fill');
        const pct = view.rows.length ? Math.round((100 * b.passed) / view.rows.length) : 0;
        fill.style.width = pct + '%';
        bar.append(fill);
        bar.dataset.passed = String(b.passed);
        td.append(bar, el('span', 'bar-label', b.passed + '/' + view.rows.length + (b.failing ? ' · ' + b.failing + ' ' + W.failing : '')));
        barRow.append(td);
        col++;
      });
    }
    thead.replaceChildren(lessonRow, stepRow, barRow);
    const rows = view.rows.map((row) => {
      const tr = el('tr', row.stuck ? 'learner stuck' : 'learner');
      const name = el('td', 'name', row.name);
      name.title = row.name;
      if (row.stuck) name.append(el('span', 'stuck-why', '⚠ ' + row.stuck));
      tr.append(name);
      row.cells.forEach((c, i) => {
        const td = el('td', 'cell ' + c.state);
        td.dataset.col = String(i);
        if (c.state === 'passed') td.textContent = '✓';
        if (c.state === 'failing') {
          td.append(el('span', 'mark', '✗' + (c.fails > 1 ? ' ×' + c.fails : '')), el('span', 'text', c.text));
          td.title = c.text;
        }
        tr.append(td);
      });
      return tr;
    });
    tbody.replaceChildren(...rows);
    $('empty').hidden = view.rows.length > 0;
    $('summary').textContent = view.results + ' ' + W.results + (view.next ? ' · ' + W.next + ' ' + view.next.id : ' · ' + W.allReleased);
    $('release').disabled = !view.next;
    document.body.dataset.results = String(view.results);
  }

  function connect() {
    const es = new EventSource('/api/events?key=' + encodeURIComponent(key));
    es.addEventListener('room', (e) => {
      $('status').textContent = W.live;
      $('status').className = 'status live';
      render(JSON.parse(e.data));
    });
    // EventSource reconnects by itself after a server restart; say so meanwhile
    es.onerror = () => { $('status').textContent = W.reconnecting; $('status').className = 'status'; };
  }

  async function act(path, body) {
    const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-classroom-key': key }, body: JSON.stringify(body || {}) });
    const data = await r.json().catch(() => ({}));
    $('action-result').textContent = r.ok ? (data.released ? W.released + ' ' + data.released : W.hintSent) : (data.error || W.failed);
    return r.ok;
  }
  $('release').addEventListener('click', () => act('/api/release'));
  $('hint-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = $('hint').value.trim();
    if (text && (await act('/api/hint', { text }))) $('hint').value = '';
  });
  connect();
})();
`;
