// Campaigns: the list (search, filters, paging; the filters live in the URL
// so a reload or a shared link keeps them) and the create/edit form.
import { h, field, formValues, showErrors, formAlert, confirmDialog, fmtDate } from './dom.js';
import { api, qs, APIError } from './api.js';
import { t, lang } from './i18n.js';
import { navigate, flash, canWrite, errorPanel } from './app.js';

export const PLATFORMS = ['youtube', 'instagram', 'tiktok', 'facebook'];
export const TONES = ['professional', 'friendly', 'casual', 'humorous', 'serious', 'energetic'];
const GENDERS = ['female', 'male', 'neutral'];
const STYLES = ['soft', 'intense', 'calm', 'energetic', 'cinematic', 'minimal', 'dynamic'];
const STATUSES = ['active', 'paused', 'completed', 'archived'];
const PAGE_SIZE = 10;

export const opts = (list, prefix, blank) =>
  (blank !== undefined ? [{ value: '', label: blank }] : []).concat(list.map(v => ({ value: v, label: prefix ? t(prefix + v) : v })));

export async function allClients() {
  return (await api('GET', '/clients?page_size=100')).clients || [];
}

export async function list(main, _m, params) {
  const page = Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
  const filter = { q: params.get('q') || '', status: params.get('status') || '', client_id: params.get('client_id') || '' };
  const [data, clients] = await Promise.all([
    api('GET', '/campaigns' + qs({ ...filter, page, page_size: PAGE_SIZE })),
    allClients(),
  ]);
  const clientName = Object.fromEntries(clients.map(c => [c.id, c.name]));

  const form = h('form', { class: 'filters', role: 'search', id: 'campaign-filters' },
    field({ name: 'q', label: t('search'), type: 'search', value: filter.q }),
    field({ name: 'status', label: t('f.status'), type: 'select', value: filter.status, options: opts(STATUSES, 'status.', t('any')) }),
    field({ name: 'client_id', label: t('f.client'), type: 'select', value: filter.client_id,
      options: [{ value: '', label: t('any') }].concat(clients.map(c => ({ value: c.id, label: c.name }))) }),
    h('button', { class: 'btn', type: 'submit' }, t('filter')));
  form.addEventListener('submit', e => {
    e.preventDefault();
    navigate('campaigns' + qs({ ...formValues(form), page: 1 }));
  });

  const rows = data.campaigns.map(c => h('tr', {},
    h('td', {}, h('a', { href: `#/campaigns/${c.id}` }, c.name)),
    h('td', { class: 'opt' }, clientName[c.client_id] || `#${c.client_id}`),
    h('td', {}, c.platform || '—'),
    h('td', {}, h('span', { class: `badge s-${c.status}` }, t('status.' + c.status))),
    h('td', { class: 'opt' }, fmtDate(c.updated_at, lang())),
    h('td', { class: 'actions' }, canWrite() ? h('button', {
      type: 'button', class: 'btn small danger', 'data-delete': c.id, 'aria-label': t('delete.named', { name: c.name }),
      onclick: async () => {
        if (!(await confirmDialog(t('confirm.campaign', { name: c.name }), t('delete'), t('cancel')))) return;
        try { await api('DELETE', `/campaigns/${c.id}`); flash(t('deleted', { name: c.name })); navigate('campaigns' + qs({ ...filter, page })); }
        catch (e) { flash(e.message); }
      },
    }, t('delete')) : null)));

  const pages = Math.max(1, Math.ceil(data.total / data.page_size));
  const link = p => '#/campaigns' + qs({ ...filter, page: p });
  main.append(
    h('div', { class: 'head' }, h('h1', {}, t('nav.campaigns')),
      canWrite() ? h('a', { class: 'btn primary', href: '#/campaigns/new', id: 'new-campaign' }, t('campaign.new')) : null),
    form,
    data.campaigns.length === 0
      ? h('p', { class: 'empty', id: 'campaigns-empty' }, clients.length === 0 && canWrite() ? [t('campaign.noclients') + ' ', h('a', { href: '#/clients/new' }, t('client.new'))] : t('campaign.none'))
      : h('div', { class: 'table-wrap' }, h('table', { id: 'campaigns' },
        h('caption', {}, t('campaign.count', { n: data.total })),
        h('thead', {}, h('tr', {}, [[t('f.name')], [t('f.client'), 'opt'], [t('f.platform')], [t('f.status')], [t('updated'), 'opt'], [h('span', { class: 'sr' }, t('actions'))]].map(([x, c]) => h('th', { scope: 'col', class: c }, x)))),
        h('tbody', {}, rows))),
    h('nav', { class: 'pager', 'aria-label': t('pages') },
      page > 1 ? h('a', { class: 'btn small', href: link(page - 1), rel: 'prev' }, t('prev')) : h('span'),
      h('span', { id: 'page-of' }, t('page.of', { page, pages })),
      page < pages ? h('a', { class: 'btn small', href: link(page + 1), rel: 'next', id: 'next-page' }, t('next')) : h('span')));
}

export async function edit(main, [id]) {
  const [campaign, clients] = await Promise.all([id ? api('GET', `/campaigns/${id}`) : null, allClients()]);
  const c = campaign || { status: 'active', platform: 'youtube' };
  const ro = !canWrite();
  const form = h('form', { id: 'campaign-form', novalidate: true, class: 'grid-form' },
    formAlert(),
    field({ name: 'client_id', label: t('f.client'), type: 'select', required: true, value: c.client_id,
      options: [{ value: '', label: t('choose') }].concat(clients.map(x => ({ value: x.id, label: x.name }))) }),
    field({ name: 'name', label: t('f.name'), required: true, value: c.name, hint: t('f.name.hint') }),
    field({ name: 'description', label: t('f.description'), type: 'textarea', value: c.description }),
    field({ name: 'platform', label: t('f.platform'), type: 'select', value: c.platform, options: opts(PLATFORMS, '', t('none')) }),
    field({ name: 'concept_tone', label: t('f.tone'), type: 'select', value: c.concept_tone, options: opts(TONES, 'tone.', t('none')) }),
    field({ name: 'concept_gender', label: t('f.gender'), type: 'select', value: c.concept_gender, options: opts(GENDERS, 'gender.', t('none')) }),
    field({ name: 'concept_style', label: t('f.style'), type: 'select', value: c.concept_style, options: opts(STYLES, 'style.', t('none')) }),
    field({ name: 'target_duration', label: t('f.target_duration'), type: 'number', value: c.target_duration, hint: t('f.target_duration.hint'), attrs: { inputmode: 'numeric' } }),
    field({ name: 'status', label: t('f.status'), type: 'select', value: c.status, options: opts(STATUSES, 'status.') }),
    field({ name: 'start_date', label: t('f.start_date'), type: 'date', value: c.start_date }),
    field({ name: 'end_date', label: t('f.end_date'), type: 'date', value: c.end_date }),
    field({ name: 'voice_name', label: t('f.voice_name'), value: c.voice_name }),
    field({ name: 'publish_schedule', label: t('f.publish_schedule'), value: c.publish_schedule }),
    ro ? null : h('div', { class: 'row' }, h('button', { class: 'btn primary', type: 'submit' }, id ? t('save') : t('create')),
      h('a', { class: 'btn', href: '#/campaigns' }, t('cancel'))));
  if (ro) for (const el of form.elements) el.disabled = true;
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const v = formValues(form);
    const body = { ...v };
    for (const k of ['client_id', 'target_duration']) if (k in body) body[k] = Number(body[k]);
    if (id) { // a cleared field is sent empty so the change is kept, not skipped
      for (const k of ['description', 'voice_name', 'publish_schedule']) if (!(k in body)) body[k] = '';
    }
    try {
      const saved = await api(id ? 'PATCH' : 'POST', id ? `/campaigns/${id}` : '/campaigns', body);
      flash(t('saved', { name: saved.name }));
      navigate(`campaigns/${saved.id}`);
    } catch (err) {
      showErrors(form, err);
    }
  });

  const parts = [
    h('div', { class: 'head' }, h('h1', {}, id ? c.name : t('campaign.new')),
      id && canWrite() ? h('button', { type: 'button', class: 'btn danger', id: 'delete-campaign', onclick: async () => {
        if (!(await confirmDialog(t('confirm.campaign', { name: c.name }), t('delete'), t('cancel')))) return;
        try { await api('DELETE', `/campaigns/${id}`); flash(t('deleted', { name: c.name })); navigate('campaigns'); }
        catch (err) { flash(err.message); }
      } }, t('delete')) : null),
    clients.length === 0 && !id ? h('p', { class: 'notice' }, t('campaign.noclients') + ' ', h('a', { href: '#/clients/new' }, t('client.new'))) : null,
    h('section', { class: 'panel' }, form),
  ];
  main.append(...parts.filter(Boolean));
  if (id) {
    try {
      const contents = await api('GET', `/campaigns/${id}/contents?page_size=20`);
      main.append(h('section', { class: 'panel', id: 'contents' }, h('h2', {}, t('contents')),
        contents.contents.length === 0 ? h('p', { class: 'empty' }, t('contents.none')) :
          h('ul', { class: 'plain' }, contents.contents.map(x => h('li', {}, h('strong', {}, x.title || x.topic), ' · ', x.language, ' · ', t('cstatus.' + x.status)))),
        h('p', {}, h('a', { class: 'btn', href: `#/writer?campaign_id=${id}` }, t('writer.forcampaign')))));
    } catch (e) {
      if (!(e instanceof APIError)) throw e;
      main.append(errorPanel(e));
    }
  }
}
