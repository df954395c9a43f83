// Clients of the agency: a paged list, the create/edit form, delete.
import { h, field, formValues, showErrors, formAlert, confirmDialog, fmtDate } from './dom.js';
import { api, qs } from './api.js';
import { t, lang } from './i18n.js';
import { navigate, flash, canWrite } from './app.js';

const PAGE_SIZE = 10;

async function remove(c, after) {
  if (!(await confirmDialog(t('confirm.client', { name: c.name }), t('delete'), t('cancel')))) return;
  try { await api('DELETE', `/clients/${c.id}`); flash(t('deleted', { name: c.name })); navigate(after); }
  catch (e) { flash(e.status === 409 ? t('client.hascampaigns') : e.message); }
}

export async function list(main, _m, params) {
  const page = Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
  const data = await api('GET', '/clients' + qs({ page, page_size: PAGE_SIZE }));
  const pages = Math.max(1, Math.ceil(data.total / data.page_size));
  main.append(
    h('div', { class: 'head' }, h('h1', {}, t('nav.clients')),
      canWrite() ? h('a', { class: 'btn primary', href: '#/clients/new', id: 'new-client' }, t('client.new')) : null),
    data.clients.length === 0 ? h('p', { class: 'empty' }, t('client.none')) :
      h('div', { class: 'table-wrap' }, h('table', { id: 'clients' },
        h('caption', {}, t('client.count', { n: data.total })),
        h('thead', {}, h('tr', {}, [[t('f.name')], [t('f.industry')], [t('f.contact_email'), 'opt'], [t('updated'), 'opt'], [h('span', { class: 'sr' }, t('actions'))]].map(([x, c]) => h('th', { scope: 'col', class: c }, x)))),
        h('tbody', {}, data.clients.map(c => h('tr', {},
          h('td', {}, c.brand_color ? h('span', { class: 'swatch', style: null, 'data-color': c.brand_color, 'aria-hidden': 'true' }) : null,
            h('a', { href: `#/clients/${c.id}` }, c.name)),
          h('td', {}, c.industry || '—'),
          h('td', { class: 'opt' }, c.contact_email || '—'),
          h('td', { class: 'opt' }, fmtDate(c.updated_at, lang())),
          h('td', { class: 'actions' }, canWrite() ? h('button', { type: 'button', class: 'btn small danger', 'aria-label': t('delete.named', { name: c.name }),
            onclick: () => remove(c, 'clients') }, t('delete')) : null)))))),
    h('nav', { class: 'pager', 'aria-label': t('pages') },
      page > 1 ? h('a', { class: 'btn small', href: '#/clients' + qs({ page: page - 1 }) }, t('prev')) : h('span'),
      h('span', {}, t('page.of', { page, pages })),
      page < pages ? h('a', { class: 'btn small', href: '#/clients' + qs({ page: page + 1 }) }, t('next')) : h('span')));
  // CSP forbids inline style attributes; colours are set through the CSSOM.
  for (const s of main.querySelectorAll('.swatch')) s.style.backgroundColor = s.dataset.color;
}

export async function edit(main, [id]) {
  const c = id ? await api('GET', `/clients/${id}`) : {};
  const ro = !canWrite();
  const form = h('form', { id: 'client-form', novalidate: true, class: 'grid-form' },
    formAlert(),
    field({ name: 'name', label: t('f.name'), required: true, value: c.name }),
    field({ name: 'industry', label: t('f.industry'), value: c.industry }),
    field({ name: 'brand_color', label: t('f.brand_color'), value: c.brand_color, hint: t('f.brand_color.hint') }),
    field({ name: 'contact_email', label: t('f.contact_email'), type: 'email', value: c.contact_email }),
    field({ name: 'website_url', label: t('f.website_url'), type: 'url', value: c.website_url }),
    field({ name: 'logo_url', label: t('f.logo_url'), type: 'url', value: c.logo_url }),
    ro ? null : h('div', { class: 'row' }, h('button', { class: 'btn primary', type: 'submit' }, id ? t('save') : t('create')),
      h('a', { class: 'btn', href: '#/clients' }, t('cancel'))));
  if (ro) for (const el of form.elements) el.disabled = true;
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const saved = await api(id ? 'PATCH' : 'POST', id ? `/clients/${id}` : '/clients', formValues(form));
      flash(t('saved', { name: saved.name }));
      navigate('clients');
    } catch (err) {
      showErrors(form, err);
    }
  });
  main.append(
    h('div', { class: 'head' }, h('h1', {}, id ? c.name : t('client.new')),
      id && canWrite() ? h('button', { type: 'button', class: 'btn danger', id: 'delete-client', onclick: () => remove(c, 'clients') }, t('delete')) : null),
    h('section', { class: 'panel' }, form));
}
