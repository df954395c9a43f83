// Sign in and sign up, through the studio's session endpoints: they answer
// with the user and account and set the cookies; the page never sees a token.
import { h, field, formValues, showErrors, formAlert } from './dom.js';
import { sessionCall } from './api.js';
import { t } from './i18n.js';
import { signedIn } from './app.js';

function card(title, form, foot) {
  return h('section', { class: 'panel auth' }, h('h1', {}, title), form, h('p', { class: 'foot' }, foot));
}

export async function signIn(main) {
  const form = h('form', { id: 'signin-form', novalidate: true },
    formAlert(),
    field({ name: 'email', label: t('f.email'), type: 'email', required: true, attrs: { autocomplete: 'username' } }),
    field({ name: 'password', label: t('f.password'), type: 'password', required: true, attrs: { autocomplete: 'current-password' } }),
    h('button', { class: 'btn primary', type: 'submit' }, t('signin')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      signedIn(await sessionCall('POST', '', formValues(form)));
    } catch (err) {
      showErrors(form, err, t('signin.failed'));
    }
  });
  main.append(card(t('signin'), form, [t('signin.new') + ' ', h('a', { href: '#/signup' }, t('signup'))]));
}

export async function signUp(main) {
  const form = h('form', { id: 'signup-form', novalidate: true },
    formAlert(),
    field({ name: 'name', label: t('f.yourname'), required: true, attrs: { autocomplete: 'name' } }),
    field({ name: 'email', label: t('f.email'), type: 'email', required: true, attrs: { autocomplete: 'email' } }),
    field({ name: 'password', label: t('f.password'), type: 'password', required: true, hint: t('f.password.hint'), attrs: { autocomplete: 'new-password' } }),
    field({ name: 'account_name', label: t('f.account_name'), hint: t('f.account_name.hint'), attrs: { autocomplete: 'organization' } }),
    h('button', { class: 'btn primary', type: 'submit' }, t('signup')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      signedIn(await sessionCall('POST', '/register', formValues(form)));
    } catch (err) {
      showErrors(form, err);
    }
  });
  main.append(card(t('signup'), form, [t('signup.have') + ' ', h('a', { href: '#/signin' }, t('signin'))]));
}
