// Switchyard dashboard: plain DOM, no dependencies, nothing fetched from outside this dispatcher.
// Numbers come from GET /dashboard/summary (polled); task changes stream in from GET /events.
// Every request carries the tab's API key (session-key.js), the event stream too (event-stream.js).
/* global sessionKey, openEventStream */
'use strict';

const POLL_MS = 2000;
const RECENT_MAX = 50;
const FAILED_LIMIT = 20;
const recent = new Map(); // task id -> last event (insertion order = recency)
let shownTaskId = null;

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('data-')) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children)
    node.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return node;
}

function ago(ms) {
  if (!ms) return '—';
  const s = Math.max(0, (Date.now() - ms) / 1000);
  return s < 1 ? 'now' : s < 90 ? `${Math.round(s)} s ago` : `${Math.round(s / 60)} min ago`;
}

function time(ms) {
  return ms ? new Date(ms).toLocaleTimeString() : '—';
}

function status(text) {
  $('#status').textContent = text;
}

async function api(method, path) {
  const res = await fetch(path, {
    method,
    headers: { accept: 'application/json', ...sessionKey.headers() },
  });
  if (res.status === 401) sessionKey.refused();
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const message =
      body && body.message ? [].concat(body.message).join('; ') : `HTTP ${res.status}`;
    const err = new Error(message);
    err.status = res.status;
    throw err;
  }
  return body;
}

function bar(used, total) {
  const pct = total > 0 ? Math.min(100, (100 * used) / total) : 0;
  const fill = el('span');
  fill.style.width = `${pct}%`;
  return el('span', { class: 'bar', title: `${Math.round(pct)}%` }, fill);
}

function renderNodes(nodes) {
  const body = $('#nodes tbody');
  body.replaceChildren(
    ...nodes.map((n) =>
      el(
        'tr',
        { 'data-node': n.id },
        el('td', { class: 'id' }, n.id),
        el('td', { class: `st-${n.status}` }, n.status),
        el('td', {}, bar(n.used.slots, n.capacity.slots), `${n.used.slots} / ${n.capacity.slots}`),
        el('td', {}, `${n.used.cpu} / ${n.capacity.cpu} m`),
        el('td', {}, `${n.used.memoryMb} / ${n.capacity.memoryMb} MB`),
        el('td', {}, n.inFlight),
        el('td', { class: 'wrap' }, n.types.join(', ')),
        el('td', {}, ago(n.lastHeartbeatAt)),
      ),
    ),
  );
  if (nodes.length === 0)
    body.append(el('tr', {}, el('td', { colSpan: 8, class: 'muted' }, 'no nodes registered')));
}

function renderQueues(queues, waiting) {
  $('#queues tbody').replaceChildren(
    ...queues.map((q) =>
      el(
        'tr',
        { 'data-type': q.type },
        el('td', {}, q.type),
        el('td', {}, q.depth),
        el('td', { class: 'wrap' }, q.reason || 'being assigned'),
      ),
    ),
  );
  if (queues.length === 0)
    $('#queues tbody').append(
      el('tr', {}, el('td', { colSpan: 3, class: 'muted' }, 'no queued tasks')),
    );
  const reasons = Object.entries(waiting).filter(([, n]) => n > 0);
  $('#waiting').replaceChildren(
    ...reasons.map(([reason, n]) => el('li', { 'data-reason': reason }, `${reason}: ${n}`)),
  );
}

function path(points, x, y) {
  return points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p).toFixed(1)}`).join(' ');
}

function renderChart(history) {
  const svg = $('#chart');
  const ns = 'http://www.w3.org/2000/svg';
  const W = 600;
  const H = 160;
  svg.replaceChildren();
  if (history.length < 2) {
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', '10');
    t.setAttribute('y', '20');
    t.textContent = 'collecting samples…';
    svg.append(t);
    return;
  }
  const rates = history.slice(1).map((s, i) => {
    const prev = history[i];
    const dt = Math.max(0.001, (s.at - prev.at) / 1000);
    return {
      ok: Math.max(0, s.succeeded - prev.succeeded) / dt,
      bad: Math.max(0, s.failed - prev.failed) / dt,
    };
  });
  const queued = history.slice(1).map((s) => s.queued);
  const maxQ = Math.max(1, ...queued);
  const maxR = Math.max(1, ...rates.map((r) => Math.max(r.ok, r.bad)));
  const x = (i) => (i * W) / Math.max(1, queued.length - 1);
  const lines = [
    ['q', path(queued, x, (v) => H - 12 - (v / maxQ) * (H - 24))],
    [
      'ok',
      path(
        rates.map((r) => r.ok),
        x,
        (v) => H - 12 - (v / maxR) * (H - 24),
      ),
    ],
    [
      'bad',
      path(
        rates.map((r) => r.bad),
        x,
        (v) => H - 12 - (v / maxR) * (H - 24),
      ),
    ],
  ];
  for (const [cls, d] of lines) {
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('class', cls);
    p.setAttribute('d', d);
    svg.append(p);
  }
  const label = document.createElementNS(ns, 'text');
  label.setAttribute('x', '4');
  label.setAttribute('y', '10');
  label.textContent = `max queued ${maxQ} · max ${maxR.toFixed(1)} tasks/s · ${Math.round((history[history.length - 1].at - history[0].at) / 1000)} s`;
  svg.append(label);
}

async function refreshSummary() {
  try {
    const s = await api('GET', '/dashboard/summary');
    $('#leader').textContent = s.leader.epoch
      ? `leader epoch ${s.leader.epoch}${s.leader.self ? ' (this dispatcher)' : ''}`
      : 'no leader';
    const c = s.counters;
    $('#counters').textContent =
      `submitted ${c.submitted || 0} · succeeded ${c.succeeded || 0} · failed ${c.failed || 0} · retried ${c.retried || 0} · cancelled ${c.cancelled || 0}`;
    renderNodes(s.nodes);
    renderQueues(s.queues, s.waiting);
    renderChart(s.history);
    status('');
  } catch (err) {
    status(`summary: ${err.message}`);
  }
}

function renderRecent() {
  const rows = [...recent.values()].reverse();
  $('#recent tbody').replaceChildren(
    ...rows.map((e) => {
      const link = el('a', { href: `#${e.subject}` }, e.subject);
      link.addEventListener('click', (ev) => {
        ev.preventDefault();
        showTask(e.subject);
      });
      return el(
        'tr',
        { 'data-task': e.subject, 'data-state': e.state },
        el('td', { class: 'id' }, link),
        el('td', {}, e.type || ''),
        el('td', { class: `st-${e.state}` }, e.state),
        el('td', {}, e.node || ''),
        el('td', {}, time(e.at)),
      );
    }),
  );
}

function onTaskEvent(msg) {
  const e = JSON.parse(msg.data);
  const prev = recent.get(e.subject);
  recent.delete(e.subject);
  // a finish event names no node: keep the one that ran it; a re-queued task has none
  const ranOn =
    ['succeeded', 'failed', 'cancelled'].includes(e.state) && prev ? prev.node : undefined;
  recent.set(e.subject, { ...e, node: e.node || ranOn });
  while (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value);
  renderRecent();
  if (e.subject === shownTaskId) void showTask(e.subject);
  if (e.state === 'failed' || (prev && prev.state === 'failed')) void refreshFailed();
}

function follow() {
  // reconnects by itself, sending Last-Event-ID: nothing still in the stream is missed
  openEventStream('/events?kind=task', {
    task: onTaskEvent,
    gap: () => status('some older events were trimmed from the stream'),
  });
}

async function refreshFailed() {
  const note = $('#failed-note');
  try {
    const body = await api('GET', `/tasks?state=failed&limit=${FAILED_LIMIT}`);
    const tasks = Array.isArray(body) ? body : body.tasks || body.items || [];
    note.hidden = true;
    $('#failed tbody').replaceChildren(
      ...tasks.map((t) => {
        const retry = el('button', { class: 'retry', type: 'button' }, 'Retry');
        retry.addEventListener('click', () => act(t.id, 'retry', retry));
        return el(
          'tr',
          { 'data-task': t.id },
          el('td', { class: 'id' }, t.id),
          el('td', {}, t.type),
          el('td', { class: 'wrap' }, t.error ? t.error.message : ''),
          el('td', {}, `${t.attempts} / ${t.maxAttempts}`),
          el('td', {}, retry),
        );
      }),
    );
    if (tasks.length === 0)
      $('#failed tbody').append(
        el('tr', {}, el('td', { colSpan: 5, class: 'muted' }, 'no failed tasks')),
      );
  } catch (err) {
    note.hidden = false;
    note.textContent = `failed tasks cannot be listed: ${err.message}`;
  }
}

async function act(id, action, button) {
  if (button) button.disabled = true;
  try {
    await api('POST', `/tasks/${encodeURIComponent(id)}/${action}`);
    status(`${action} ${id}: done`);
  } catch (err) {
    status(`${action} ${id}: ${err.message}`);
  } finally {
    if (button) button.disabled = false;
  }
  await Promise.all([refreshFailed(), shownTaskId === id ? showTask(id) : Promise.resolve()]);
}

async function showTask(id) {
  shownTaskId = id;
  $('#search-id').value = id;
  const detail = $('#detail');
  try {
    const t = await api('GET', `/tasks/${encodeURIComponent(id)}`);
    const fields = [
      ['id', t.id],
      ['type', t.type],
      ['state', t.state],
      ['attempts', `${t.attempts} / ${t.maxAttempts}`],
      ['priority', t.priority],
      ['created', time(t.createdAt)],
      ['node', t.node || '—'],
      ['waiting', t.waitingReason || '—'],
      ['error', t.error ? t.error.message : '—'],
      ['result', t.result === undefined ? '—' : JSON.stringify(t.result).slice(0, 500)],
    ];
    $('#detail-fields').replaceChildren(
      ...fields.flatMap(([k, v]) => [
        el('dt', {}, k),
        el('dd', { 'data-field': k, class: k === 'state' ? `st-${v}` : '' }, v),
      ]),
    );
    $('#attempts tbody').replaceChildren(
      ...t.history.map((a, i) =>
        el(
          'tr',
          {},
          el('td', {}, i + 1),
          el('td', { class: 'id' }, a.node),
          el('td', {}, time(a.assignedAt)),
          el('td', {}, time(a.startedAt)),
          el('td', {}, time(a.endedAt)),
          el('td', { class: `st-${a.outcome || ''}` }, a.outcome || '…'),
          el('td', { class: 'wrap' }, a.error || ''),
        ),
      ),
    );
    const terminal = ['succeeded', 'failed', 'cancelled'].includes(t.state);
    $('#detail-cancel').disabled = terminal;
    $('#detail-retry').disabled = !(t.state === 'failed' || t.state === 'cancelled');
    detail.hidden = false;
  } catch (err) {
    detail.hidden = true;
    status(`task ${id}: ${err.message}`);
  }
}

function start() {
  $('#search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const id = $('#search-id').value.trim();
    if (id) void showTask(id);
  });
  $('#detail-cancel').addEventListener(
    'click',
    () => shownTaskId && act(shownTaskId, 'cancel', $('#detail-cancel')),
  );
  $('#detail-retry').addEventListener(
    'click',
    () => shownTaskId && act(shownTaskId, 'retry', $('#detail-retry')),
  );
  if (location.hash.length > 1) void showTask(decodeURIComponent(location.hash.slice(1)));
  sessionKey.onChange(() => {
    void refreshSummary();
    void refreshFailed();
  });
  void refreshSummary();
  void refreshFailed();
  setInterval(refreshSummary, POLL_MS);
  setInterval(refreshFailed, POLL_MS * 5);
  follow();
}

start();
