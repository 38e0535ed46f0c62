// The Faults tab: the fault rules in force on this node, a form to add one, and removal (docs/rehearsal.md).
import { json, sendJson } from './api.js';
import { $, cell, describe, element, show, showProblems } from './dom.js';

const number = (id) => ($(id).value.trim() === '' ? undefined : Number($(id).value));
const text = (id) => ($(id).value.trim() === '' ? undefined : $(id).value.trim());

export async function loadFaults() {
  try {
    const list = await json('GET', '/admin/api/faults');
    $('faults-off').hidden = list.enabled;
    $('faults-body').replaceChildren(...list.rules.map(ruleRow));
    $('faults-empty').hidden = list.rules.length > 0;
  } catch (error) {
    showProblems($('fault-error'), $('fault-error-text'), $('fault-problems'), 'Reading the fault rules failed', error);
  }
}

function ruleRow(rule) {
  const remove = element('button', { type: 'button', textContent: 'Remove' });
  remove.addEventListener('click', async () => {
    await json('DELETE', `/admin/api/faults/${encodeURIComponent(rule.id)}`).catch(() => null);
    await loadFaults();
  });
  const row = element('tr', {},
    cell(rule.id),
    cell(JSON.stringify(rule.match)),
    cell(JSON.stringify(rule.action)),
    element('td', { className: 'number' }, String(rule.fired)),
    cell(rule.remaining === undefined || rule.remaining === null ? 'until removed' : String(rule.remaining)),
    element('td', {}, remove));
  row.dataset.id = rule.id;
  return row;
}

async function addRule(event) {
  event.preventDefault();
  $('fault-error').hidden = true;
  const rule = {
    match: { interface: text('fault-interface'), accessKey: text('fault-ak'), vdnId: number('fault-vdn'), fileName: text('fault-file') },
    action: {
      resultCode: text('fault-code'), httpStatus: number('fault-status'), delayMs: number('fault-delay'),
      bytesPerSecond: number('fault-rate'), dropAfterBytes: number('fault-drop'),
    },
    times: number('fault-times'),
    probability: number('fault-probability'),
  };
  try {
    await sendJson('POST', '/admin/api/faults', rule);
    $('fault-form').reset();
  } catch (error) {
    showProblems($('fault-error'), $('fault-error-text'), $('fault-problems'), 'The rule was not added', error);
  }
  await loadFaults();
}

export function initFaults() {
  $('fault-form').addEventListener('submit', addRule);
  $('faults-clear').addEventListener('click', async () => {
    await json('DELETE', '/admin/api/faults').catch((error) => show($('fault-error-text'), describe(error)));
    await loadFaults();
  });
}
