// The Scrub tab: run a scrub, with or without repair, and show its report.
import { call } from './api.js';
import { $, cell, describe, element, formatTime, show } from './dom.js';

function summary(report) {
  const seconds = (new Date(report.finishedAt) - new Date(report.startedAt)) / 1000;
  const items = [
    ['Files checked', report.filesChecked],
    ['Copies checked', report.copiesChecked],
    ['Healthy copies', report.healthyCopies],
    ['Problems', report.problemCount],
    ['Repaired', report.repaired],
    ['Remaining', report.remaining],
    ['Started', formatTime(report.startedAt)],
    ['Took', `${seconds.toFixed(1)} s`],
  ];
  return items.map(([name, value]) => element('div', {}, element('dt', { textContent: name }), element('dd', { textContent: String(value) })));
}

function problemRow(problem) {
  const row = element('tr', {},
    cell(problem.fileName),
    cell(problem.locationId),
    cell(problem.kind, 'error'),
    cell(problem.repaired ? 'yes' : 'no'),
    cell(problem.detail, 'wrap'));
  row.dataset.fileName = problem.fileName;
  row.dataset.kind = problem.kind;
  row.dataset.repaired = String(problem.repaired);
  return row;
}

async function run() {
  const repair = $('scrub-repair').checked;
  const button = $('scrub-run');
  button.disabled = true;
  show($('scrub-error'), '');
  show($('scrub-status'), repair ? 'Scrubbing and repairing…' : 'Scrubbing…');
  $('scrub-status').dataset.state = 'busy';
  try {
    const report = await (await call('POST', '/admin/api/scrub', { query: [['repair', repair]] })).json();
    $('scrub-summary').replaceChildren(...summary(report));
    $('scrub-problems-body').replaceChildren(...report.problems.map(problemRow));
    $('scrub-problems').hidden = report.problems.length === 0;
    $('scrub-clean').hidden = report.problemCount > 0;
    $('scrub-report').hidden = false;
    const unlisted = report.problemsNotListed > 0 ? ` (${report.problemsNotListed} more not listed; see the server log)` : '';
    show($('scrub-status'), `Scrub ${repair ? 'with repair ' : ''}done: ${report.problemCount} problem${report.problemCount === 1 ? '' : 's'}, `
      + `${report.repaired} repaired, ${report.remaining} remaining${unlisted}.`);
    $('scrub-status').dataset.state = 'done';
  } catch (error) {
    show($('scrub-status'), '');
    show($('scrub-error'), `The scrub did not run: ${describe(error)}`);
    $('scrub-status').dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}

export function initScrub() {
  $('scrub-run').addEventListener('click', run);
}
