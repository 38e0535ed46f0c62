// The Audit tab: the audit trail newest first, filtered by access key, VDN, interface or file, older entries on demand.
import { json } from './api.js';
import { $, cell, describe, element, formatTime, show } from './dom.js';

const PAGE_SIZE = 50;
const state = { filters: [], before: null, request: 0 };

function filters() {
  return [
    ['accessKey', $('audit-ak').value.trim()],
    ['vdnId', $('audit-vdn').value.trim()],
    ['interface', $('audit-interface').value.trim()],
    ['file', $('audit-file').value.trim()],
  ].filter(([, v]) => v !== '');
}

/** Reads the first page for the filters in the form; with more, the next older page of the filters in force. */
export async function loadAudit(more = false) {
  show($('audit-error'), '');
  if (!more) {
    state.filters = filters();
    state.before = null;
  }
  // Only the answer to the latest request is shown: an older one may arrive after it.
  const request = ++state.request;
  $('audit-table').dataset.state = 'busy';
  try {
    const page = await json('GET', '/admin/api/audit', { query: [...state.filters, ['limit', PAGE_SIZE], ['before', state.before]] });
    if (request !== state.request) return;
    $('audit-table').dataset.state = 'done';
    const rows = page.entries.map(entryRow);
    if (more) $('audit-body').append(...rows); else $('audit-body').replaceChildren(...rows);
    state.before = page.next ?? null;
    $('audit-more').hidden = state.before === null;
    $('audit-empty').hidden = $('audit-body').rows.length > 0;
  } catch (error) {
    if (request !== state.request) return;
    $('audit-table').dataset.state = 'error';
    show($('audit-error'), `Reading the audit trail failed: ${describe(error)}`);
  }
}

function entryRow(entry) {
  const row = element('tr', {},
    element('td', { title: entry.at }, formatTime(entry.at)),
    cell(entry.accessKey ?? ''),
    cell(entry.interface),
    cell(entry.vdnId === null || entry.vdnId === undefined ? '' : String(entry.vdnId)),
    cell(entry.file ?? ''),
    cell(entry.resultCode, entry.resultCode === '0' || /^2\d\d$/.test(entry.resultCode) ? '' : 'error'),
    element('td', { className: 'number' }, String(entry.durationMs)),
    cell(entry.clientIp));
  row.dataset.id = String(entry.id);
  return row;
}

export function initAudit() {
  $('audit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    loadAudit();
  });
  $('audit-clear').addEventListener('click', () => {
    $('audit-form').reset();
    loadAudit();
  });
  $('audit-more').addEventListener('click', () => loadAudit(true));
}
