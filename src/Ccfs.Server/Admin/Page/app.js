// The admin page: sign in, VDNs and their files, play, waveform, upload by drag and drop, delete, parameters.
import { ApiError, call, credentials, forget, json, remember, sendJson } from './api.js';

const $ = (id) => document.getElementById(id);
const PARAMETER_FIELDS = ['uploadSizeLimitMb', 'acceptedEncodings', 'driveLetter', 'uploadPathRule', 'downloadPathRule'];

const state = { vdns: [], selectedVdn: null, next: null, parameters: null, playerUrl: null };

function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function show(node, text) {
  node.textContent = text;
  node.hidden = !text;
}

function describe(error) {
  return error instanceof ApiError ? `${error.message} (HTTP ${error.status})` : error.message;
}

// ---- sign-in ----

async function enter(accessKey, secretKey) {
  const as = { accessKey, secretKey };
  await json('GET', '/admin/api/vdns', { as });
  remember(accessKey, secretKey);
  await Promise.all([loadVdns(), loadParameters()]);
  $('signin-view').hidden = true;
  $('admin-view').hidden = false;
  $('sign-out').hidden = false;
  $('who').textContent = accessKey;
}

async function onSignIn(event) {
  event.preventDefault();
  show($('signin-error'), '');
  $('signin-button').disabled = true;
  const accessKey = $('ak').value.trim();
  try {
    await enter(accessKey, $('sk').value);
  } catch (error) {
    forget();
    const why = !(error instanceof ApiError) || error.status !== 401
      ? describe(error)
      : error.message.includes('not an administrator')
        ? `${accessKey} is not an administrator account`
        : 'the access key is unknown or the secret key is wrong';
    show($('signin-error'), `Sign-in failed: ${why}.`);
    $('signin-error').title = error.message;
  } finally {
    $('signin-button').disabled = false;
  }
}

function signOut() {
  forget();
  location.reload();
}

// ---- VDNs and files ----

async function loadVdns() {
  const { vdns } = await json('GET', '/admin/api/vdns');
  state.vdns = vdns;
  const list = $('vdn-list');
  list.replaceChildren(...vdns.map((v) => element('li', {},
    element('button', {
      type: 'button',
      className: v.vdnId === state.selectedVdn ? 'selected' : '',
      textContent: `VDN ${v.vdnId} · ${v.files} file${v.files === 1 ? '' : 's'}${v.hasOverrides ? ' · own parameters' : ''}`,
      onclick: () => selectVdn(v.vdnId),
    }))));
  list.querySelectorAll('button').forEach((b, i) => { b.dataset.vdn = vdns[i].vdnId; });
  $('vdn-empty').hidden = vdns.length > 0;
  if (state.selectedVdn === null && vdns.length > 0) {
    await selectVdn(vdns.find((v) => v.files > 0)?.vdnId ?? vdns[0].vdnId);
  }
  renderScopes();
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
  await loadFiles();
}

async function loadFiles() {
  show($('files-error'), '');
  try {
    const page = await json('GET', `/admin/api/vdns/${state.selectedVdn}/files`, { query: [['after', state.next], ['limit', 50]] });
    $('files-body').append(...page.files.map(fileRow));
    state.next = page.next ?? null;
    $('more-files').hidden = !state.next;
  } catch (error) {
    show($('files-error'), `Listing the files failed: ${describe(error)}`);
  }
}

function formatSize(bytes) {
  return bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1048576).toFixed(2)} MiB`;
}

function fileRow(file) {
  const name = file.fileName.split('/').pop();
  const canvas = element('canvas', { className: 'waveform', width: 200, height: 40 });
  const row = element('tr', {},
    element('td', { className: 'name', title: file.fileName }, name),
    element('td', { className: 'number', title: `${file.sizeBytes} bytes` }, formatSize(file.sizeBytes)),
    element('td', { className: 'number' }, `${(file.durationMs / 1000).toFixed(2)} s`),
    element('td', { title: file.createdAt }, new Date(file.createdAt).toLocaleString()),
    element('td', {}, file.locations.join(', ')),
    element('td', {}, canvas),
    element('td', {},
      element('button', { type: 'button', className: 'play', textContent: 'Play', onclick: () => play(file) }),
      ' ',
      element('button', { type: 'button', className: 'delete', textContent: 'Delete', onclick: () => remove(file) })));
  row.dataset.fileName = file.fileName;
  drawWaveform(canvas, file.fileName);
  return row;
}

async function drawWaveform(canvas, fileName) {
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

// ---- upload ----

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
    show(status, `Stored ${stored.fileName}${converted}.`);
  } catch (error) {
    status.dataset.state = 'error';
    show(status, `Upload of ${file.name} failed: ${describe(error)}`);
  }
}

function wireDropZone() {
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
}

// ---- parameters ----

async function loadParameters() {
  state.parameters = await json('GET', '/admin/api/parameters');
  renderScopes(undefined, true);
}

/** Rebuilds the scope list; the fields are refilled only when asked or when the scope changed, never under an edit. */
function renderScopes(selected = $('param-scope').value || 'global', refill = false) {
  const ids = new Set([...state.vdns.map((v) => v.vdnId), ...(state.parameters?.vdns ?? []).map((v) => v.vdnId)]);
  if (selected !== 'global') ids.add(Number(selected));
  const scope = $('param-scope');
  scope.replaceChildren(element('option', { value: 'global', textContent: 'Global' }),
    ...[...ids].sort((a, b) => a - b).map((id) => element('option', { value: String(id), textContent: `VDN ${id}` })));
  const changed = scope.dataset.shown !== selected;
  scope.value = selected;
  if (refill || changed) renderParameters();
}

function renderParameters() {
  const view = state.parameters;
  if (!view) return;
  const scope = $('param-scope').value;
  const current = scope === 'global'
    ? view.global
    : view.vdns.find((v) => String(v.vdnId) === scope) ?? { overrides: {}, effective: view.global.effective };
  $('param-scope').dataset.shown = scope;
  const form = $('parameters-form');
  for (const field of PARAMETER_FIELDS) {
    const input = form.elements[field];
    input.value = current.overrides[field] ?? '';
    input.placeholder = String(current.effective[field] ?? '');
  }
}

async function saveParameters(event, clear = false) {
  event.preventDefault();
  const scope = $('param-scope').value;
  const form = $('parameters-form');
  const body = {};
  if (!clear) {
    for (const field of PARAMETER_FIELDS) {
      const value = form.elements[field].value.trim();
      if (value !== '') body[field] = field === 'uploadSizeLimitMb' ? Number(value) : value;
    }
  }
  show($('param-status'), '');
  $('param-error').hidden = true;
  try {
    const path = scope === 'global' ? '/admin/api/parameters' : `/admin/api/parameters/vdns/${scope}`;
    state.parameters = await sendJson('PUT', path, body);
    renderScopes(scope, true);
    show($('param-status'), `Saved ${scope === 'global' ? 'the global parameters' : `the parameters of VDN ${scope}`}.`);
    await loadVdns();
  } catch (error) {
    $('param-error-text').textContent = `Not saved: ${describe(error)}`;
    $('param-problems').replaceChildren(...(error.problems ?? []).map((p) => element('li', { textContent: p })));
    $('param-error').hidden = false;
  }
}

function addScope() {
  const vdn = Number($('param-new-vdn').value);
  if (Number.isInteger(vdn) && vdn > 0) {
    renderScopes(String(vdn));
    $('param-new-vdn').value = '';
  }
}

// ---- start ----

$('signin-form').addEventListener('submit', onSignIn);
$('sign-out').addEventListener('click', signOut);
$('more-files').addEventListener('click', loadFiles);
$('param-scope').addEventListener('change', renderParameters);
$('param-new-vdn').addEventListener('change', addScope);
$('parameters-form').addEventListener('submit', (event) => saveParameters(event));
$('param-clear').addEventListener('click', (event) => saveParameters(event, true));
wireDropZone();

const saved = credentials();
if (saved) {
  enter(saved.accessKey, saved.secretKey).catch(() => forget());
}
document.body.dataset.ready = 'true';
