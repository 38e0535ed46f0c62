// Small DOM helpers the page's modules share.
import { ApiError } from './api.js';

export const $ = (id) => document.getElementById(id);

export function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** Sets a message and shows it, or hides the element when the text is empty. */
export function show(node, text) {
  node.textContent = text;
  node.hidden = !text;
}

export function describe(error) {
  return error instanceof ApiError ? `${error.message} (HTTP ${error.status})` : error.message;
}

/** Shows a refusal in a box of a text line and a list of the server's problems (invalid input lists each). */
export function showProblems(box, textNode, listNode, text, error) {
  textNode.textContent = `${text}: ${describe(error)}`;
  listNode.replaceChildren(...(error.problems ?? []).map((p) => element('li', { textContent: p })));
  box.hidden = false;
}

const pad = (n) => String(n).padStart(2, '0');

/** A time as local YYYY-MM-DD HH:MM:SS, short enough for a table column; the ISO text is its tooltip. */
export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A cell whose full text is also its tooltip, for columns that cut long values. */
export function cell(text, className = '') {
  return element('td', { className, title: text ?? '' }, text ?? '');
}
