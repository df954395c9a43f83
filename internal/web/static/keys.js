// API keys: create (the key is shown once, with a copy button), list, revoke.
import { h, field, formValues, showErrors, formAlert, confirmDialog, fmtDate } from './dom.js';
import { api } from './api.js';
import { t, lang } from './i18n.js';
import { flash, navigate } from './app.js';

export async function view(main) {
  const data = await api('GET', '/auth/api-keys');
  const shown = h('div', { id: 'new-key' });
  const form = h('form', { id: 'key-form', novalidate: true, class: 'grid-form' },
    formAlert(),
    field({ name: 'name', label: t('f.keyname'), required: true }),
    field({ name: 'expires_in_days', label: t('f.expires'), type: 'number', hint: t('f.expires.hint'), attrs: { min: '1', max: '365' } }),
    h('div', { class: 'row' }, h('button', { class: 'btn primary', type: 'submit' }, t('keys.create'))));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const v = formValues(form);
    if (v.expires_in_days) v.expires_in_days = Number(v.expires_in_days);
    try {
      const k = await api('POST', '/auth/api-keys', v);
      const input = h('input', { id: 'key-value', readonly: true, value: k.key, 'aria-label': t('keys.value'), class: 'mono' });
      const copy = h('button', { type: 'button', class: 'btn', id: 'copy-key', onclick: async () => {
        try { await navigator.clipboard.writeText(k.key); }
        catch { input.select(); document.execCommand('copy'); } // no clipboard API without a secure context
        flash(t('keys.copied'));
      } }, t('copy'));
      shown.replaceChildren(h('section', { class: 'panel notice-panel', role: 'region', 'aria-label': t('keys.once') },
        h('h2', {}, t('keys.once')), h('p', {}, t('keys.oncehint')), h('div', { class: 'row' }, input, copy),
        h('p', {}, h('a', { href: '#/keys', onclick: e2 => { e2.preventDefault(); navigate('keys'); } }, t('keys.done')))));
      input.focus();
      input.select();
      form.reset();
      renderList((await api('GET', '/auth/api-keys')).api_keys);
    } catch (err) { showErrors(form, err); }
  });
  const listBox = h('div', { id: 'keys' });
  function renderList(keys) {
    listBox.replaceChildren(keys.length === 0 ? h('p', { class: 'empty' }, t('keys.none')) :
      h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, [[t('f.keyname')], [t('keys.prefix')], [t('keys.created'), 'opt'], [t('keys.lastused'), 'opt'], [t('keys.expires'), 'opt'], [h('span', { class: 'sr' }, t('actions'))]].map(([x, c]) => h('th', { scope: 'col', class: c }, x)))),
        h('tbody', {}, keys.map(k => h('tr', {},
          h('td', {}, k.name), h('td', { class: 'mono' }, k.prefix + '…'), h('td', { class: 'opt' }, fmtDate(k.created_at, lang())),
          h('td', { class: 'opt' }, fmtDate(k.last_used_at, lang())), h('td', { class: 'opt' }, fmtDate(k.expires_at, lang())),
          h('td', { class: 'actions' }, h('button', { type: 'button', class: 'btn small danger', 'aria-label': t('keys.revoke.named', { name: k.name }), onclick: async () => {
            if (!(await confirmDialog(t('confirm.key', { name: k.name }), t('keys.revoke'), t('cancel')))) return;
            try { await api('DELETE', `/auth/api-keys/${k.id}`); flash(t('keys.revoked', { name: k.name })); renderList((await api('GET', '/auth/api-keys')).api_keys); }
            catch (err) { flash(err.message); }
          } }, t('keys.revoke')))))))));
  }
  renderList(data.api_keys);
  main.append(h('div', { class: 'head' }, h('h1', {}, t('nav.keys'))), shown,
    h('section', { class: 'panel' }, h('h2', {}, t('keys.new')), form),
    h('section', { class: 'panel' }, h('h2', {}, t('keys.list')), listBox));
}
