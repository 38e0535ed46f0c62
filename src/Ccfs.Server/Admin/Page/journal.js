// The Journal tab: the requests this node answered, newest first, read on every two seconds while the tab is open.
import { json } from './api.js';
import { $, cell, describe, element, formatTime, show } from './dom.js';

const POLL_MS = 2000;
const SHOWN = 200;
const state = { next: null, timer: null };

async function poll() {
  try {
    const query = state.next === null ? [['limit', 100]] : [['after', state.next], ['limit', 1000]];
    const page = await json('GET', '/admin/api/journal', { query });
    show($('journal-error'), '');
    state.next = page.next;
    const body = $('journal-body');
    body.prepend(...page.entries.reverse().map(entryRow));
    while (body.rows.length > SHOWN) body.deleteRow(-1);
    $('journal-empty').hidden = body.rows.length > 0;
  } catch (error) {
    show($('journal-error'), `Reading the journal failed: ${describe(error)}`);
  }
}

function entryRow(entry) {
  const answer = entry.resultCode ? `${entry.resultCode} (HTTP ${entry.httpStatus})` : `HTTP ${entry.httpStatus}`;
  const failed = entry.httpStatus >= 400 || (entry.resultCode && entry.resultCode !== '0');
  const row = element('tr', {},
    element('td', { title: entry.at }, formatTime(entry.at)),
    cell(entry.interface),
    cell(answer, failed ? 'error' : ''),
    element('td', { className: 'number' }, String(entry.durationMs)),
    cell(entry.accessKey ?? ''),
    cell(entry.vdnId === null || entry.vdnId === undefined ? '' : String(entry.vdnId)),
    cell(entry.fileName ?? ''),
    cell(entry.fault ?? ''),
    cell(entry.reason ?? ''));
  row.dataset.id = String(entry.id);
  return row;
}

/** Reads the newest entries, then keeps reading what comes after them until another tab opens. */
export async function followJournal() {
  stopJournal();
  state.next = null;
  $('journal-body').replaceChildren();
  await poll();
  state.timer = setInterval(poll, POLL_MS);
}

export function stopJournal() {
  if (state.timer !== null) clearInterval(state.timer);
  state.timer = null;
}
