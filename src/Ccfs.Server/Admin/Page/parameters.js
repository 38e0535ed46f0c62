// The Parameters tab: global and per-VDN overrides of the run-time parameters, with the values in force as placeholders.
import { json, sendJson } from './api.js';
import { $, element, show, showProblems } from './dom.js';
import { loadVdns, VDNS_CHANGED } from './files.js';

const FIELDS = ['uploadSizeLimitMb', 'acceptedEncodings', 'driveLetter', 'uploadPathRule', 'downloadPathRule', 'promptCheck',
  'promptLevelDbov', 'promptLevelToleranceDb', 'promptMaxClippedRuns', 'promptMaxDcOffsetPercent', 'promptMaxHeadSilenceSeconds',
  'promptMaxTailSilenceSeconds', 'quotaMb', 'quotaFiles', 'retainFor'];
const TEXT_FIELDS = new Set(['acceptedEncodings', 'driveLetter', 'uploadPathRule', 'downloadPathRule', 'promptCheck', 'retainFor']);
const state = { parameters: null, vdnIds: [] };

export async function loadParameters() {
  state.parameters = await json('GET', '/admin/api/parameters');
  renderScopes(undefined, true);
}

/** Rebuilds the scope list; the fields are refilled only when asked or when the scope changed, never under an edit. */
function renderScopes(selected = $('param-scope').value || 'global', refill = false) {
  const ids = new Set([...state.vdnIds, ...(state.parameters?.vdns ?? []).map((v) => v.vdnId)]);
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
  for (const field of FIELDS) {
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
    for (const field of FIELDS) {
      const value = form.elements[field].value.trim();
      if (value !== '') body[field] = TEXT_FIELDS.has(field) ? value : Number(value);
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
    showProblems($('param-error'), $('param-error-text'), $('param-problems'), 'Not saved', error);
  }
}

function addScope() {
  const vdn = Number($('param-new-vdn').value);
  if (Number.isInteger(vdn) && vdn > 0) {
    renderScopes(String(vdn));
    $('param-new-vdn').value = '';
  }
}

export function initParameters() {
  document.addEventListener(VDNS_CHANGED, (event) => {
    state.vdnIds = event.detail;
    renderScopes();
  });
  $('param-scope').addEventListener('change', renderParameters);
  $('param-new-vdn').addEventListener('change', addScope);
  $('parameters-form').addEventListener('submit', (event) => saveParameters(event));
  $('param-clear').addEventListener('click', (event) => saveParameters(event, true));
}
