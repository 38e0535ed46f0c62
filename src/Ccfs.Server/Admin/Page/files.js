// The Files tab: VDNs, their files newest first (all, or those whose prompt failed a quality check), play, waveform with
// the active speech level, quality badges, upload by drag and drop or file chooser with the findings, delete; and what
// the next retention sweep would delete, recordings that only the locations hold included.
import { call, json } from './api.js';
import { $, cell, describe, element, formatTime, show } from './dom.js';

const PAGE_SIZE = 50;
const SWEEP_PREVIEW_SIZE = 20;
const state = { vdns: [], selectedVdn: null, next: null, playerUrl: null };

/** Fired on document with the VDN list whenever it is reloaded; the parameters tab offers their scopes. */
export const VDNS_CHANGED = 'ccfs-vdns-changed';

export async function loadVdns() {
  const { vdns } = await json('GET', '/admin/api/vdns');
  state.vdns = vdns;
  const list = $('vdn-list');
  list.replaceChildren(...vdns.map((v) => element('li', {},
    element('button', {
      type: 'button',
      className: v.vdnId === state.selectedVdn ? 'selected' : '',
      textContent: `VDN ${v.vdnId} · ${v.files} file${v.files === 1 ? '' : 's'}${v.hasOverrides ? ' · own parameters' : ''}`,
      onclick: () => selectVdn(v.vdnId),
    }),
    quotaBar(v))));
  list.querySelectorAll('button').forEach((b, i) => { b.dataset.vdn = vdns[i].vdnId; });
  $('vdn-empty').hidden = vdns.length > 0;
  document.dispatchEvent(new CustomEvent(VDNS_CHANGED, { detail: vdns.map((v) => v.vdnId) }));
  if (state.selectedVdn === null && vdns.length > 0) {
    await selectVdn(vdns.find((v) => v.files > 0)?.vdnId ?? vdns[0].vdnId);
  }
}

async function selectVdn(vdnId) {
  state.selectedVdn = vdnId;
  $('upload-vdn').value = vdnId;
  $('files-title').textContent = `Files of VDN ${vdnId}`;
  for (const b of $('vdn-list').querySelectorAll('button')) {
    b.classList.toggle('selected', Number(b.dataset.vdn) === vdnId);
  }
  $('files-body').replaceChildren();
  state.next = null;
  await Promise.all([loadFiles(), loadSweepPreview(vdnId)]);
}

/** The next sweep of the VDN: hidden while it keeps files forever; else what it deletes, each file with a Pin button. */
async function loadSweepPreview(vdnId) {
  const section = $('sweep-preview');
  try {
    const preview = await json('GET', '/admin/api/retention/preview', { query: [['vdnId', vdnId], ['limit', SWEEP_PREVIEW_SIZE]] });
    if (state.selectedVdn !== vdnId) return;
    section.hidden = preview.retainFor == null;
    if (section.hidden) return;
    const count = `${preview.files.length}${preview.more ? ' or more' : ''} file${preview.files.length === 1 && !preview.more ? '' : 's'}`;
    $('sweep-summary').textContent = preview.files.length === 0
      ? `VDN ${vdnId} keeps files for ${preview.retainFor}; none has expired yet.`
      : `VDN ${vdnId} keeps files for ${preview.retainFor}. The next sweep deletes ${count}, freeing ${formatSize(preview.bytes)}${preview.more ? ' or more' : ''}; pin a file to keep it.`;
    $('sweep-body').replaceChildren(...preview.files.map(sweepRow));
  } catch (error) {
    section.hidden = false;
    $('sweep-summary').textContent = `Previewing the next sweep failed: ${describe(error)}`;
    $('sweep-body').replaceChildren();
  }
}

function sweepRow(file) {
  const recording = file.storeOnly
    ? [element('span', { className: 'badge recording', textContent: 'recording', title: 'no catalog row: written into the location past ccfs, aged by its last-modified time' })]
    : [];
  const row = element('tr', {},
    nameCell(file.fileName, recording),
    element('td', { className: 'number', title: `${file.sizeBytes} bytes` }, formatSize(file.sizeBytes)),
    element('td', { title: file.createdAt }, formatTime(file.createdAt)),
    element('td', { title: file.expiredAt }, formatTime(file.expiredAt)),
    element('td', { className: 'actions' },
      element('button', { type: 'button', className: 'pin', textContent: 'Pin', onclick: () => togglePin({ fileName: file.fileName, pinned: false }) })));
  row.dataset.fileName = file.fileName;
  return row;
}

async function loadFiles() {
  show($('files-error'), '');
  try {
    const failingOnly = $('failing-only').checked ? 'failed' : null;
    const page = await json('GET', `/admin/api/vdns/${state.selectedVdn}/files`,
      { query: [['after', state.next], ['limit', PAGE_SIZE], ['promptCheck', failingOnly]] });
    $('files-body').append(...page.files.map(fileRow));
    state.next = page.next ?? null;
    $('more-files').hidden = !state.next;
  } catch (error) {
    show($('files-error'), `Listing the files failed: ${describe(error)}`);
  }
}

/** The VDN's usage against its quota as a bar (amber from 80 %, red from 95 %), or its usage alone when unlimited. */
function quotaBar(vdn) {
  const q = vdn.quota;
  const limits = [q.quotaFiles != null ? `${q.usedFiles} of ${q.quotaFiles} files` : null,
    q.quotaBytes != null ? `${formatSize(q.usedBytes)} of ${formatSize(q.quotaBytes)}` : null].filter(Boolean);
  if (q.percentUsed == null) {
    return element('div', { className: 'quota unlimited', textContent: `${formatSize(q.usedBytes)} · no quota` });
  }
  const level = q.percentUsed >= 95 ? 'full' : q.percentUsed >= 80 ? 'warn' : 'ok';
  const fill = element('div', { className: 'quota-fill' });
  fill.style.width = `${Math.min(100, q.percentUsed)}%`;
  const bar = element('div', { className: `quota ${level}`, title: `${q.percentUsed}% used: ${limits.join(', ')}` },
    element('div', { className: 'quota-track' }, fill),
    element('span', { className: 'quota-text', textContent: `${Math.round(q.percentUsed)}% · ${limits.join(', ')}` }));
  bar.dataset.percent = q.percentUsed;
  return bar;
}

/** Badges for retention: pinned, or when the file expires if that is within a week. */
function retentionBadges(file) {
  if (file.pinned) {
    return [element('span', { className: 'badge pinned', textContent: 'pinned', title: 'exempt from retention' })];
  }
  if (!file.expiresAt) return [];
  const left = new Date(file.expiresAt).getTime() - Date.now();
  if (left > 7 * 24 * 3600 * 1000) return [];
  const words = left <= 0 ? 'expired' : left < 3600 * 1000 ? `expires in ${Math.ceil(left / 60000)} min`
    : left < 48 * 3600 * 1000 ? `expires in ${Math.round(left / 3600000)} h` : `expires in ${Math.round(left / 86400000)} d`;
  return [element('span', { className: 'badge expiring', textContent: words, title: `retention deletes it at ${file.expiresAt}` })];
}

async function togglePin(file) {
  const action = file.pinned ? 'unpin' : 'pin';
  try {
    await json('POST', `/admin/api/files/${action}`, { query: [['fileName', file.fileName]] });
    await refresh();
  } catch (error) {
    alert(`Could not ${action} ${file.fileName}: ${describe(error)}`);
  }
}

function formatSize(bytes) {
  return bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1048576).toFixed(2)} MiB`;
}

/** A file's name, cut with an ellipsis on a line of its own (the full name is the tooltip), and its badges below it, never cut. */
function nameCell(fileName, badges) {
  return element('td', { className: 'name', title: fileName }, element('span', { className: 'file-name' }, fileName.split('/').pop()), ...badges);
}

function fileRow(file) {
  const canvas = element('canvas', { className: 'waveform', width: 160, height: 32 });
  const row = element('tr', {},
    nameCell(file.fileName, retentionBadges(file)),
    element('td', { className: 'number', title: `${file.sizeBytes} bytes` }, formatSize(file.sizeBytes)),
    element('td', { className: 'number' }, `${(file.durationMs / 1000).toFixed(2)} s`),
    element('td', { title: file.createdAt }, formatTime(file.createdAt)),
    cell(file.locations.join(', ')),
    element('td', {}, canvas),
    qualityCell(file.promptCheck),
    element('td', { className: 'actions' },
      element('button', { type: 'button', className: 'play', textContent: 'Play', onclick: () => play(file) }),
      element('button', { type: 'button', className: 'pin', textContent: file.pinned ? 'Unpin' : 'Pin', onclick: () => togglePin(file) }),
      element('button', { type: 'button', className: 'delete', textContent: 'Delete', onclick: () => remove(file) })));
  row.dataset.fileName = file.fileName;
  drawWaveform(canvas, file.fileName, file.promptCheck);
  return row;
}

/** A badge per failed check ("quiet", "clipping", ...), "pass", or a dash for a file stored without a check. */
function qualityCell(check) {
  const td = element('td', { className: 'quality' });
  if (!check) {
    td.textContent = '—';
    td.title = 'not measured (stored before prompt checks, or promptCheck=off)';
    return td;
  }
  td.title = check.line;
  const words = check.failed.length > 0 ? check.failed : ['pass'];
  td.append(...words.map((word) => element('span', { className: `badge ${check.failed.length > 0 ? 'fail' : 'pass'}`, textContent: word })));
  return td;
}

/** The findings in a sentence, for the upload box. */
function describeCheck(check) {
  if (!check) return '';
  const level = check.levelDbov === null ? 'no active speech' : `active speech level ${check.levelDbov.toFixed(1)} dBov`;
  return check.failed.length > 0
    ? ` It failed the prompt check (${check.failed.join(', ')}): ${level}, ${check.clippedRuns} clipped run(s), ${check.headSeconds} s before and ${check.tailSeconds} s after the speech.`
    : ` It passed the prompt check: ${level}.`;
}

async function drawWaveform(canvas, fileName, check) {
  try {
    const peaks = await json('GET', '/admin/api/files/peaks', { query: [['fileName', fileName], ['points', canvas.width]] });
    const context = canvas.getContext('2d');
    const middle = canvas.height / 2;
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = '#1d3557';
    const step = canvas.width / Math.max(peaks.max.length, 1);
    peaks.max.forEach((max, i) => {
      const top = middle - max * middle;
      const bottom = middle - peaks.min[i] * middle;
      context.fillRect(i * step, top, Math.max(step, 1), Math.max(bottom - top, 1));
    });
    if (check && check.levelDbov !== null) {
      // The active speech level (ITU-T P.56, an RMS level relative to full scale) as a band around the middle.
      const amplitude = Math.min(1, 10 ** (check.levelDbov / 20)) * middle;
      context.fillStyle = check.failed.length > 0 ? '#d1495b' : '#2a9d8f';
      context.fillRect(0, middle - amplitude, canvas.width, 1);
      context.fillRect(0, middle + amplitude, canvas.width, 1);
      canvas.title = `active speech level ${check.levelDbov.toFixed(1)} dBov`;
      canvas.dataset.level = check.levelDbov;
    }
    canvas.dataset.drawn = 'true';
  } catch (error) {
    canvas.title = `No waveform: ${describe(error)}`;
    canvas.dataset.drawn = 'error';
  }
}

async function play(file) {
  const player = $('player');
  show($('files-error'), '');
  try {
    const response = await call('GET', '/admin/api/files/audio', { query: [['fileName', file.fileName]] });
    const url = URL.createObjectURL(await response.blob());
    if (state.playerUrl) URL.revokeObjectURL(state.playerUrl);
    state.playerUrl = url;
    player.dataset.fileName = file.fileName;
    player.src = url;
    await player.play().catch(() => {}); // no audio device (or autoplay rules): the element is loaded all the same
  } catch (error) {
    show($('files-error'), `Playing ${file.fileName} failed: ${describe(error)}`);
  }
}

async function remove(file) {
  if (!confirm(`Delete ${file.fileName} from every location?`)) return;
  try {
    await json('DELETE', '/admin/api/files', { query: [['fileName', file.fileName]] });
    show($('upload-status'), `Deleted ${file.fileName}.`);
    await refresh();
  } catch (error) {
    show($('files-error'), `Deleting ${file.fileName} failed: ${describe(error)}`);
  }
}

async function refresh() {
  await loadVdns();
  if (state.selectedVdn !== null) await selectVdn(state.selectedVdn);
}

async function upload(file) {
  const status = $('upload-status');
  const vdn = Number($('upload-vdn').value);
  status.dataset.state = 'busy';
  if (!Number.isInteger(vdn) || vdn < 1) {
    status.dataset.state = 'error';
    show(status, 'Choose the VDN to upload to first.');
    return;
  }
  show(status, `Uploading ${file.name} to VDN ${vdn}…`);
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const stored = await json('POST', `/admin/api/vdns/${vdn}/files`, { body: bytes, contentType: 'audio/wav' });
    const converted = stored.convertedFrom ? ` (converted from ${stored.convertedFrom})` : '';
    state.selectedVdn = vdn;
    await refresh();
    status.dataset.fileName = stored.fileName;
    status.dataset.state = 'done';
    status.dataset.verdict = stored.promptCheck?.verdict ?? '';
    show(status, `Stored ${stored.fileName}${converted}.${describeCheck(stored.promptCheck)}`);
  } catch (error) {
    status.dataset.state = 'error';
    show(status, `Upload of ${file.name} failed: ${describe(error)}`);
  }
}

export function initFiles() {
  const zone = $('drop-zone');
  const over = (event) => {
    event.preventDefault();
    zone.classList.add('over');
  };
  zone.addEventListener('dragenter', over);
  zone.addEventListener('dragover', over);
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files?.[0];
    if (file) upload(file);
  });
  $('file-input').addEventListener('change', (event) => {
    const file = event.target.files?.[0];
    if (file) upload(file);
    event.target.value = '';
  });
  $('more-files').addEventListener('click', loadFiles);
  $('failing-only').addEventListener('change', () => { if (state.selectedVdn !== null) selectVdn(state.selectedVdn); });
}
