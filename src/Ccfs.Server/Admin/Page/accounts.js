// The Accounts tab: list, create, disable and enable, rotate a secret key and retire the older ones. A new secret key
// is shown once, right after it was issued, and kept nowhere: the server stores it sealed and never answers it again.
import { json, sendJson } from './api.js';
import { $, cell, element, formatTime, show, showProblems } from './dom.js';

const base = '/admin/api/accounts';
const path = (accessKey) => `${base}/${encodeURIComponent(accessKey)}`;

export async function loadAccounts() {
  try {
    const accounts = await json('GET', base);
    $('accounts-body').replaceChildren(...accounts.map(accountRow));
  } catch (error) {
    showProblems($('accounts-error'), $('accounts-error-text'), $('accounts-problems'), 'Listing the accounts failed', error);
  }
}

function accountRow(account) {
  const fromConfiguration = account.source === 'configuration';
  const secrets = fromConfiguration ? 'in configuration' : `${account.secrets.length} valid`;
  const issued = account.secrets.map((s) => `${s.current ? 'newest' : 'older'}: issued ${formatTime(s.createdAt)}`).join('\n');
  const actions = element('td', { className: 'actions' });
  if (fromConfiguration) {
    actions.append(element('span', { className: 'hint', textContent: 'read-only: change it in configuration' }));
  } else {
    actions.append(
      element('button', {
        type: 'button',
        className: 'toggle',
        textContent: account.disabled ? 'Enable' : 'Disable',
        onclick: () => setDisabled(account, !account.disabled),
      }),
      element('button', { type: 'button', className: 'rotate', textContent: 'Rotate secret', onclick: () => rotate(account) }),
      element('button', {
        type: 'button',
        className: 'retire',
        textContent: 'Retire older',
        title: 'Remove every secret key but the newest',
        disabled: account.secrets.length < 2,
        onclick: () => retire(account),
      }));
  }
  const row = element('tr', {},
    cell(account.accessKey),
    cell(account.vdnIds.join(', ')),
    cell(account.admin ? 'admin' : 'CC-FS'),
    cell(account.disabled ? 'disabled' : 'enabled', account.disabled ? 'error' : ''),
    element('td', { title: issued || secrets }, secrets),
    cell(account.description ?? ''),
    cell(fromConfiguration ? 'configuration' : formatTime(account.createdAt)),
    actions);
  row.dataset.accessKey = account.accessKey;
  row.dataset.disabled = String(account.disabled);
  row.dataset.secrets = String(account.secrets.length);
  return row;
}

/** Runs one change, then shows its outcome and the list as it now is. */
async function change(work, done) {
  show($('accounts-status'), '');
  $('accounts-error').hidden = true;
  try {
    const result = await work();
    show($('accounts-status'), done(result));
  } catch (error) {
    showProblems($('accounts-error'), $('accounts-error-text'), $('accounts-problems'), 'Refused', error);
  }
  await loadAccounts();
}

function showSecret(issued) {
  $('new-secret-ak').textContent = issued.account.accessKey;
  $('new-secret-value').textContent = issued.secretKey;
  $('new-secret').hidden = false;
}

function hideSecret() {
  $('new-secret-value').textContent = '';
  $('new-secret-ak').textContent = '';
  $('new-secret').hidden = true;
}

async function create(event) {
  event.preventDefault();
  hideSecret();
  const vdnIds = $('account-vdns').value.split(/[\s,]+/).filter((v) => v !== '').map(Number);
  if (vdnIds.length === 0 || !vdnIds.every((v) => Number.isInteger(v) && v > 0)) {
    showProblems($('accounts-error'), $('accounts-error-text'), $('accounts-problems'), 'Not created',
      new Error('VDNs must be positive whole numbers, separated by commas'));
    return;
  }
  const body = { vdnIds, admin: $('account-admin').checked };
  const accessKey = $('account-ak').value.trim();
  const description = $('account-description').value.trim();
  if (accessKey) body.accessKey = accessKey;
  if (description) body.description = description;
  await change(async () => {
    const issued = await sendJson('POST', base, body);
    showSecret(issued);
    $('account-form').reset();
    return issued;
  }, (issued) => `Created ${issued.account.accessKey}.`);
}

function setDisabled(account, disabled) {
  if (disabled && !confirm(`Disable ${account.accessKey}? Its requests are refused until it is enabled again.`)) return;
  return change(() => sendJson('PATCH', path(account.accessKey), { disabled }),
    () => `${disabled ? 'Disabled' : 'Enabled'} ${account.accessKey}.`);
}

function rotate(account) {
  hideSecret();
  return change(async () => {
    const issued = await json('POST', `${path(account.accessKey)}/rotate`);
    showSecret(issued);
    return issued;
  }, () => `Issued a new secret key for ${account.accessKey}; the older one still signs until it is retired.`);
}

function retire(account) {
  if (!confirm(`Retire the older secret keys of ${account.accessKey}? Only the newest will sign.`)) return;
  return change(() => json('POST', `${path(account.accessKey)}/retire`),
    () => `Only the newest secret key of ${account.accessKey} signs now.`);
}

export function initAccounts() {
  $('account-form').addEventListener('submit', create);
  $('new-secret-dismiss').addEventListener('click', hideSecret);
  $('new-secret-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('new-secret-value').textContent);
      show($('accounts-status'), 'Copied the secret key.');
    } catch {
      show($('accounts-status'), 'Copying is not allowed here: select the key and copy it by hand.');
    }
  });
}
