// The Events tab: webhook subscriptions (create, with the secret shown once; disable, enable, rotate, delete), and for
// the selected one its recent delivery attempts, its dead letter and redelivery. See docs/events.md.
import { json, sendJson } from './api.js';
import { $, cell, element, formatTime, show, showProblems } from './dom.js';

const base = '/admin/api/subscriptions';
const path = (id) => `${base}/${encodeURIComponent(id)}`;
let selected = null;

export async function loadEvents() {
  try {
    const { subscriptions } = await json('GET', base);
    $('subscriptions-body').replaceChildren(...subscriptions.map(subscriptionRow));
    $('subscriptions-empty').hidden = subscriptions.length > 0;
    if (selected && !subscriptions.some((s) => s.id === selected)) selected = null;
    await loadSelected();
  } catch (error) {
    fail('Listing the subscriptions failed', error);
  }
}

function subscriptionRow(s) {
  const state = s.enabled ? 'enabled' : `disabled${s.disabledReason ? `: ${s.disabledReason}` : ''}`;
  const button = (className, text, onclick) => element('button', { type: 'button', className, textContent: text, onclick });
  const row = element('tr', {},
    cell(s.url),
    cell(s.vdnIds ? s.vdnIds.join(', ') : 'every VDN'),
    cell(s.types ? s.types.join(', ') : 'every type'),
    cell(state, s.enabled ? '' : 'error'),
    cell(s.description ?? ''),
    element('td', { className: 'actions' },
      button('show', 'Deliveries', () => select(s.id)),
      button('toggle', s.enabled ? 'Disable' : 'Enable', () => change(() => sendJson('PATCH', path(s.id), { enabled: !s.enabled }),
        `${s.enabled ? 'Disabled' : 'Enabled'} the subscription.`)),
      button('rotate', 'Rotate secret', () => change(async () => showSecret(await sendJson('PATCH', path(s.id), { rotateSecret: true })),
        'Issued a new secret; deliveries are signed with it from now on.')),
      button('delete', 'Delete', () => confirm(`Delete the subscription of ${s.url}?`)
        && change(() => json('DELETE', path(s.id)), 'Deleted the subscription.'))));
  row.dataset.id = s.id;
  row.dataset.enabled = String(s.enabled);
  row.classList.toggle('selected', s.id === selected);
  return row;
}

async function select(id) {
  selected = id;
  for (const row of $('subscriptions-body').rows) row.classList.toggle('selected', row.dataset.id === id);
  await loadSelected();
}

async function loadSelected() {
  $('subscription-detail').hidden = !selected;
  if (!selected) return;
  try {
    const [{ deliveries }, { events }] = await Promise.all([
      json('GET', `${path(selected)}/deliveries`, { query: [['limit', '50']] }),
      json('GET', `${path(selected)}/dead-letter`)]);
    $('deliveries-body').replaceChildren(...deliveries.map((d) => element('tr', {},
      cell(formatTime(d.at)), cell(String(d.vdnId)), cell(String(d.sequence)), cell(d.outcome, d.outcome === 'delivered' ? '' : 'error'),
      cell(d.statusCode ? String(d.statusCode) : ''), cell(String(d.attempt)), cell(d.error ?? ''), cell(d.eventId))));
    $('deliveries-empty').hidden = deliveries.length > 0;
    $('dead-letter-body').replaceChildren(...events.map(deadLetterRow));
    $('dead-letter-empty').hidden = events.length > 0;
    $('redeliver-all').disabled = events.length === 0;
    $('redeliver-all').dataset.ids = JSON.stringify(events.map((e) => e.eventId));
  } catch (error) {
    fail('Reading the deliveries failed', error);
  }
}

function deadLetterRow(e) {
  const row = element('tr', {},
    cell(String(e.vdnId)), cell(String(e.sequence)), cell(e.reason), cell(formatTime(e.at)),
    element('td', { className: 'actions' }, element('button', {
      type: 'button', className: 'redeliver', textContent: 'Redeliver', onclick: () => redeliver({ eventIds: [e.eventId] }),
    })));
  row.dataset.eventId = e.eventId;
  return row;
}

function redeliver(body) {
  return change(() => sendJson('POST', `${path(selected)}/redeliver`, body),
    body.eventIds ? `Queued ${body.eventIds.length} event(s) for redelivery.` : `Delivering again from number ${body.from}.`);
}

async function change(work, done) {
  show($('events-status'), '');
  $('events-error').hidden = true;
  try {
    await work();
    show($('events-status'), done);
  } catch (error) {
    fail('Refused', error);
  }
  await loadEvents();
}

function fail(text, error) {
  showProblems($('events-error'), $('events-error-text'), $('events-problems'), text, error);
}

function showSecret(issued) {
  $('subscription-secret-value').textContent = issued.secret;
  $('subscription-secret').hidden = false;
}

function hideSecret() {
  $('subscription-secret-value').textContent = '';
  $('subscription-secret').hidden = true;
}

async function create(event) {
  event.preventDefault();
  hideSecret();
  const body = { url: $('subscription-url').value.trim() };
  const vdns = $('subscription-vdns').value.split(/[\s,]+/).filter((v) => v !== '');
  if (vdns.length > 0) body.vdnIds = vdns.map(Number);
  const boxes = [...document.querySelectorAll('#subscription-form input[name=type]')];
  const types = boxes.filter((t) => t.checked).map((t) => t.value);
  if (types.length === 0) {
    show($('events-status'), '');
    fail('Choose at least one event type', new Error('a subscription to no type would receive nothing'));
    return;
  }
  // Every type checked: no list, so the subscription also gets the types a later ccfs adds.
  if (types.length < boxes.length) body.types = types;
  const description = $('subscription-description').value.trim();
  if (description) body.description = description;
  await change(async () => {
    const issued = await sendJson('POST', base, body);
    showSecret(issued);
    $('subscription-form').reset();
    selected = issued.subscription.id;
  }, 'Created the subscription; it receives the events written from now on.');
}

export function initEvents() {
  $('subscription-form').addEventListener('submit', create);
  $('subscription-secret-dismiss').addEventListener('click', hideSecret);
  $('redeliver-all').addEventListener('click', () => redeliver({ eventIds: JSON.parse($('redeliver-all').dataset.ids || '[]') }));
  $('redeliver-from-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const from = Number($('redeliver-from').value);
    const vdn = $('redeliver-vdn').value.trim();
    redeliver(vdn ? { from, vdnId: Number(vdn) } : { from });
  });
}
