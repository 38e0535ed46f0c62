// The admin page: sign in, then one tab at a time: files, accounts, audit, scrub, parameters, events, faults, journal.
import { ApiError, credentials, forget, json, remember } from './api.js';
import { $, describe, show } from './dom.js';
import { initAccounts, loadAccounts } from './accounts.js';
import { initAudit, loadAudit } from './audit.js';
import { initEvents, loadEvents } from './events.js';
import { initFiles, loadVdns } from './files.js';
import { initParameters, loadParameters } from './parameters.js';
import { initScrub } from './scrub.js';
import { initFaults, loadFaults } from './faults.js';
import { followJournal, stopJournal } from './journal.js';

const TABS = ['files', 'accounts', 'audit', 'scrub', 'parameters', 'events', 'faults', 'journal'];

/** What a tab reads each time it is opened, so it shows what other tabs (or other operators) changed. */
const ON_OPEN = { accounts: loadAccounts, audit: () => loadAudit(), events: loadEvents, faults: loadFaults, journal: followJournal };

function openTab(name) {
  const tab = TABS.includes(name) ? name : 'files';
  for (const t of TABS) {
    $(`${t}-tab`).hidden = t !== tab;
  }
  for (const button of $('tabs').querySelectorAll('button')) {
    button.classList.toggle('selected', button.dataset.tab === tab);
    button.setAttribute('aria-current', button.dataset.tab === tab ? 'page' : 'false');
  }
  if (location.hash !== `#${tab}`) history.replaceState(null, '', `#${tab}`);
  document.body.dataset.tab = tab;
  if (tab !== 'journal') stopJournal();
  return ON_OPEN[tab]?.();
}

async function enter(accessKey, secretKey) {
  const as = { accessKey, secretKey };
  await json('GET', '/admin/api/vdns', { as });
  remember(accessKey, secretKey);
  await Promise.all([loadVdns(), loadParameters()]);
  $('signin-view').hidden = true;
  $('admin-view').hidden = false;
  $('tabs').hidden = false;
  $('sign-out').hidden = false;
  $('who').textContent = accessKey;
  await openTab(location.hash.slice(1));
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
  location.hash = '';
  location.reload();
}

$('signin-form').addEventListener('submit', onSignIn);
$('sign-out').addEventListener('click', signOut);
$('tabs').addEventListener('click', (event) => {
  const tab = event.target.closest('button')?.dataset.tab;
  if (tab) openTab(tab);
});
initFiles();
initAccounts();
initAudit();
initScrub();
initParameters();
initEvents();
initFaults();

const saved = credentials();
if (saved) {
  enter(saved.accessKey, saved.secretKey).catch(() => forget());
}
document.body.dataset.ready = 'true';
