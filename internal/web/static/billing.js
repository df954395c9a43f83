// Billing: the plan, this month's use against the quotas, plan change (owner).
import { h, fmtDate } from './dom.js';
import { api } from './api.js';
import { t, lang } from './i18n.js';
import { isOwner, flash, navigate } from './app.js';

export async function view(main) {
  const [usage, plans] = await Promise.all([api('GET', '/billing/usage'), api('GET', '/billing/plans')]);
  const plan = plans.plans.find(p => p.id === usage.plan) || { name: usage.plan };
  const bar = (key) => {
    const used = usage.used[key], limit = usage.limits[key];
    const id = `usage-${key}`;
    return h('div', { class: 'usage' },
      h('div', { class: 'usage-head' }, h('span', { id: id + '-label' }, t('usage.' + key)),
        h('span', { id: id + '-value' }, limit === null ? t('usage.unlimited', { used }) : t('usage.of', { used, limit }))),
      limit === null ? null : h('progress', { id, max: String(limit), value: String(Math.min(used, limit)), 'aria-labelledby': `${id}-label ${id}-value`,
        class: used >= limit ? 'full' : '' }));
  };
  const choose = h('form', { id: 'plan-form', class: 'plans' },
    h('fieldset', {}, h('legend', {}, t('billing.choose')),
      plans.plans.map(p => h('label', { class: 'plan' + (p.id === usage.plan ? ' current' : '') },
        h('input', { type: 'radio', name: 'plan', value: p.id, checked: p.id === usage.plan, disabled: !isOwner() }),
        h('span', { class: 'plan-name' }, p.name),
        h('span', { class: 'plan-price' }, `$${p.price_usd_month} / ${t('month')}`),
        h('span', { class: 'plan-q' }, `${t('usage.scripts')}: ${p.quotas.scripts ?? '∞'} · ${t('usage.audio')}: ${p.quotas.audio ?? '∞'}`)))),
    isOwner() ? h('button', { class: 'btn primary', type: 'submit', id: 'change-plan' }, t('billing.change')) : h('p', { class: 'hint' }, t('billing.owneronly')));
  choose.addEventListener('submit', async e => {
    e.preventDefault();
    const id = new FormData(choose).get('plan');
    try { await api('PUT', '/billing/plan', { plan: id }); flash(t('billing.changed', { plan: (plans.plans.find(p => p.id === id) || { name: id }).name })); navigate('billing'); }
    catch (err) { flash(err.message); }
  });
  main.append(h('div', { class: 'head' }, h('h1', {}, t('nav.billing'))),
    h('section', { class: 'panel' },
      h('h2', {}, t('billing.plan'), ': ', h('span', { id: 'plan-name' }, plan.name)),
      h('p', { class: 'meta' }, t('billing.period', { period: usage.period, resets: fmtDate(usage.resets_at, lang()) })),
      bar('scripts'), bar('audio')),
    h('section', { class: 'panel' }, choose));
}
