// Small DOM helpers. Text always goes in as text nodes, never as HTML, so
// nothing a user or the API sends can become markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') el[k] = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

let fieldSeq = 0;

// field builds a labelled control with a place for its error message; the
// control's name is the API's field name, so errors[].field finds it.
export function field({ name, label, type = 'text', value, options, required, hint, attrs = {} }) {
  const id = `f-${name}-${++fieldSeq}`;
  const errId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const common = { id, name, required, 'aria-describedby': [hintId, errId].filter(Boolean).join(' '), ...attrs };
  let control;
  if (type === 'select') {
    control = h('select', common, (options || []).map(o => h('option', { value: o.value, selected: String(o.value) === String(value ?? '') }, o.label)));
  } else if (type === 'textarea') {
    control = h('textarea', { ...common, rows: attrs.rows || 4 });
    control.value = value ?? '';
  } else if (type === 'checkbox') {
    control = h('input', { ...common, type, checked: !!value });
  } else {
    control = h('input', { ...common, type, value: value ?? '' });
  }
  return h('div', { class: type === 'checkbox' ? 'field check' : 'field', 'data-field': name },
    h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errId, hidden: true }));
}

// formValues reads the named controls of a form; empty text becomes absent.
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.value !== '') out[el.name] = el.value;
  }
  return out;
}

// clearErrors removes the messages a previous answer left on the form.
export function clearErrors(form) {
  for (const p of form.querySelectorAll('.field-error')) { p.textContent = ''; p.hidden = true; }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  const alert = form.querySelector('.form-alert');
  if (alert) { alert.textContent = ''; alert.hidden = true; }
}

// showErrors puts each entry of the error body's `errors` list next to its
// field, and anything else (or the message) in the form's alert, then moves
// focus to the first problem so keyboard and screen reader users land on it.
export function showErrors(form, err, fallback) {
  clearErrors(form);
  const body = err && err.body;
  const rest = [];
  let first = null;
  for (const fe of (body && body.errors) || []) {
    const control = form.querySelector(`[name="${CSS.escape(fe.field)}"]`);
    if (!control) { rest.push(`${fe.field}: ${fe.message}`); continue; }
    control.setAttribute('aria-invalid', 'true');
    const p = document.getElementById(`${control.id}-error`);
    p.textContent = fe.message;
    p.hidden = false;
    first = first || control;
  }
  if (!first || rest.length) {
    const alert = form.querySelector('.form-alert');
    alert.textContent = rest.length ? rest.join('; ') : ((body && body.message) || fallback || String(err));
    alert.hidden = false;
    if (!first) { alert.focus(); return; }
  }
  first.focus();
}

export function formAlert() {
  return h('p', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true });
}

// confirmDialog asks before something that cannot be undone. It is a modal
// <dialog>: focus stays inside, Escape cancels, and Cancel has the focus first.
export function confirmDialog(message, confirmLabel, cancelLabel) {
  return new Promise(resolve => {
    const cancel = h('button', { type: 'button', class: 'btn', value: 'cancel' }, cancelLabel);
    const ok = h('button', { type: 'button', class: 'btn danger', 'data-confirm': '' }, confirmLabel);
    const dlg = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-msg' },
      h('p', { id: 'confirm-msg' }, message), h('div', { class: 'row end' }, cancel, ok));
    const done = v => { dlg.close(); dlg.remove(); resolve(v); };
    cancel.addEventListener('click', () => done(false));
    ok.addEventListener('click', () => done(true));
    dlg.addEventListener('cancel', e => { e.preventDefault(); done(false); });
    document.body.append(dlg);
    dlg.showModal();
    cancel.focus();
  });
}

export function fmtDate(s, lang) {
  if (!s) return '—';
  const d = new Date(s);
  return isNaN(d) ? s : d.toLocaleDateString(lang === 'ko' ? 'ko-KR' : 'en-GB', { year: 'numeric', month: 'short', day: 'numeric' });
}

export function secs(n) {
  return `${(Math.round(n * 10) / 10).toFixed(1)} s`;
}
