// The studio's entry point: the shell (header, navigation, language), the
// hash router and the signed-in state. Routes live in the URL's fragment so
// the server serves one page and a reload or a shared link lands on the view.
import { h, clear } from './dom.js';
import { api, sessionCall, setSignedOutHandler, hasSession, APIError } from './api.js';
import { t, setLang, lang } from './i18n.js';
import * as auth from './auth.js';
import * as campaigns from './campaigns.js';
import * as clients from './clients.js';
import * as writer from './writer.js';
import * as voice from './voice.js';
import * as billing from './billing.js';
import * as keys from './keys.js';

export const state = { me: null, draft: null };

const routes = [
  [/^signin$/, auth.signIn, false],
  [/^signup$/, auth.signUp, false],
  [/^campaigns$/, campaigns.list, true],
  [/^campaigns\/new$/, campaigns.edit, true],
  [/^campaigns\/(\d+)$/, campaigns.edit, true],
  [/^clients$/, clients.list, true],
  [/^clients\/new$/, clients.edit, true],
  [/^clients\/(\d+)$/, clients.edit, true],
  [/^writer$/, writer.view, true],
  [/^voice$/, voice.view, true],
  [/^voice\/([A-Za-z0-9_-]+)$/, voice.task, true],
  [/^billing$/, billing.view, true],
  [/^keys$/, keys.view, true],
];

const nav = [
  ['campaigns', 'nav.campaigns'], ['clients', 'nav.clients'], ['writer', 'nav.writer'],
  ['voice', 'nav.voice'], ['billing', 'nav.billing'], ['keys', 'nav.keys'],
];

// generation changes on every navigation; a view's pending work (polling)
// checks it and stops once the user has gone elsewhere.
let generation = 0;
export function current() { return generation; }

export function canWrite() { return !!state.me && state.me.user.role !== 'viewer'; }
export function isOwner() { return !!state.me && state.me.user.role === 'owner'; }

export function navigate(path) {
  if (location.hash === '#/' + path) route();
  else location.hash = '#/' + path;
}

export function flash(msg) {
  const s = document.getElementById('status');
  s.textContent = msg;
  s.classList.add('show');
  flash.views = 0;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => s.classList.remove('show'), 5000);
}

function renderHeader() {
  const top = clear(document.getElementById('top'));
  document.getElementById('skip-link').textContent = t('skip');
  const langSel = h('select', { id: 'lang', 'aria-label': t('language'), onchange: e => { setLang(e.target.value); renderHeader(); route(); } },
    h('option', { value: 'en', selected: lang() === 'en' }, 'English'),
    h('option', { value: 'ko', selected: lang() === 'ko' }, '한국어'));
  const brand = h('a', { class: 'brand', id: 'brand', href: state.me ? '#/campaigns' : '#/signin' }, 'OmniVibe', h('span', {}, ' Studio'));
  if (!state.me) {
    top.append(h('div', { class: 'bar' }, brand, h('div', { class: 'tools' }, langSel)));
    return;
  }
  const here = location.hash.slice(2).split(/[/?]/)[0];
  const acct = state.me.account;
  // Users belong to exactly one account in this data model, so the
  // "switcher" shows that account and the caller's role in it.
  const account = h('div', { class: 'account', id: 'account', title: t('account.single') },
    h('span', { class: 'acct-name' }, acct.name), ' ', h('span', { class: 'role', id: 'role' }, t('role.' + state.me.user.role)));
  const out = h('button', { type: 'button', class: 'btn small', id: 'signout', onclick: signOut }, t('signout'));
  top.append(
    h('div', { class: 'bar' }, brand, h('div', { class: 'tools' }, account, langSel, out)),
    h('nav', { 'aria-label': t('nav.label') }, h('ul', {}, nav.map(([p, k]) =>
      h('li', {}, h('a', { href: '#/' + p, 'aria-current': here === p ? 'page' : null }, t(k)))))));
}

async function signOut() {
  try { await sessionCall('DELETE', ''); } catch { /* the cookies expire anyway */ }
  state.me = null;
  renderHeader();
  navigate('signin');
}

export async function signedIn(session) {
  state.me = { user: session.user, account: session.account };
  renderHeader();
  navigate('campaigns');
}

async function route() {
  const gen = ++generation;
  // A message belongs to the view it was made for or the next one (a save
  // that navigates); later it would stand over unrelated content.
  if (++flash.views > 1) document.getElementById('status').classList.remove('show');
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query || '');
  let target = path || (state.me ? 'campaigns' : 'signin');
  let match = null, view = null, needsAuth = false;
  for (const [re, fn, a] of routes) {
    const m = target.match(re);
    if (m) { match = m; view = fn; needsAuth = a; break; }
  }
  if (!view) { target = state.me ? 'campaigns' : 'signin'; return navigate(target); }
  if (needsAuth && !state.me) return navigate('signin');
  if (!needsAuth && state.me) return navigate('campaigns');
  renderHeader();
  const main = clear(document.getElementById('main'));
  try {
    await view(main, match.slice(1), params, gen);
  } catch (e) {
    if (gen !== generation) return;
    clear(main).append(errorPanel(e));
  }
  if (gen === generation && route.moved) {
    const h1 = main.querySelector('h1');
    if (h1) { h1.tabIndex = -1; h1.focus({ preventScroll: true }); }
  }
  route.moved = true;
  document.title = `${(main.querySelector('h1') || {}).textContent || ''} · OmniVibe Studio`;
}

export function errorPanel(e) {
  const nf = e instanceof APIError && e.status === 404;
  return h('section', { class: 'panel error-panel', id: nf ? 'not-found' : 'error' },
    h('h1', {}, nf ? t('error.notfound.title') : t('error.title')),
    h('p', {}, nf ? t('error.notfound') : (e.message || String(e))),
    h('p', {}, h('a', { href: '#/campaigns' }, t('error.back'))));
}

async function start() {
  setSignedOutHandler(() => {
    if (!state.me) return;
    state.me = null;
    renderHeader();
    navigate('signin');
  });
  try {
    state.me = hasSession() ? await api('GET', '/auth/me') : null;
  } catch { state.me = null; }
  window.addEventListener('hashchange', route);
  await route();
  // The browser test reads these for time to interactive.
  document.documentElement.dataset.readyAt = String(Math.round(performance.now()));
  document.documentElement.dataset.ready = 'true';
}

start();
