// Voice-over: start a task, watch it, play and download the result.
//
// Progress is polled (GET /audio/status about once a second, backing off on
// errors and while the tab is hidden) rather than streamed with server-sent
// events: the status answer already carries everything the view shows, the
// API serves it from its cache in well under a millisecond, polling needs no
// long-lived connection through proxies or the per-origin connection limit of
// HTTP/1.1, and it survives a replica restart or a lost connection without
// any resume logic.
import { h, field, formValues, showErrors, formAlert, clear, fmtDate } from './dom.js';
import { api, qs } from './api.js';
import { t, lang } from './i18n.js';
import { navigate, canWrite, state, current } from './app.js';
import { LANGS } from './writer.js';

const FINISHED = ['succeeded', 'partial', 'failed', 'cancelled'];

export async function view(main) {
  const draft = state.draft || {};
  state.draft = null;
  const form = h('form', { id: 'voice-form', novalidate: true, class: 'grid-form' },
    formAlert(),
    field({ name: 'text', label: t('f.text'), type: 'textarea', required: true, value: draft.text, attrs: { rows: 6 } }),
    field({ name: 'language', label: t('f.language'), type: 'select', value: draft.language || 'en', options: LANGS.map(v => ({ value: v, label: t('lang.' + v) })) }),
    field({ name: 'voice_id', label: t('f.voice'), value: 'default', hint: t('f.voice.hint'), attrs: { list: 'voices' } }),
    h('datalist', { id: 'voices' }, ['default', 'en-us', 'en-gb', 'ko', 'alloy', 'nova'].map(v => h('option', { value: v }))),
    field({ name: 'accuracy_threshold', label: t('f.threshold'), type: 'number', value: '0.95', attrs: { step: '0.01', min: '0', max: '1' } }),
    field({ name: 'max_attempts', label: t('f.attempts'), type: 'number', value: '3', attrs: { min: '1', max: '10' } }),
    h('p', { class: 'hint' }, t('voice.provider')),
    h('div', { class: 'row' }, h('button', { class: 'btn primary', type: 'submit', id: 'start-voice', disabled: !canWrite() }, t('voice.start'))));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const v = formValues(form);
    const body = { ...v };
    if (body.accuracy_threshold) body.accuracy_threshold = Number(body.accuracy_threshold);
    if (body.max_attempts) body.max_attempts = Number(body.max_attempts);
    try {
      // The key makes a double click or a retried request the same task.
      const task = await api('POST', '/audio/generate', body, { 'Idempotency-Key': crypto.randomUUID() });
      navigate('voice/' + task.task_id);
    } catch (err) { showErrors(form, err); }
  });
  const recent = await api('GET', '/audio?page_size=8');
  main.append(h('div', { class: 'head' }, h('h1', {}, t('nav.voice'))),
    h('section', { class: 'panel' }, form),
    h('section', { class: 'panel' }, h('h2', {}, t('voice.recent')),
      recent.tasks && recent.tasks.length ? h('ul', { class: 'plain', id: 'recent' }, recent.tasks.map(x => h('li', {},
        h('a', { href: '#/voice/' + x.task_id }, (x.text || '').slice(0, 60) || x.task_id), ' · ',
        h('span', { class: `badge a-${x.status}` }, t('astatus.' + x.status)), ' · ', fmtDate(x.created_at, lang()))))
        : h('p', { class: 'empty' }, t('voice.none'))));
}

export async function task(main, [id], _p, gen) {
  const status = h('p', { class: 'status-line', id: 'task-status' });
  const bar = h('progress', { max: '1', value: '0', id: 'task-progress', 'aria-label': t('voice.progress') });
  const facts = h('dl', { class: 'facts' });
  const result = h('div', { id: 'task-result' });
  main.append(h('div', { class: 'head' }, h('h1', {}, t('voice.task'))),
    h('section', { class: 'panel' }, status, bar, facts),
    result,
    h('p', {}, h('a', { href: '#/voice' }, t('voice.back'))));

  let delay = 1000;
  for (;;) {
    let task;
    try {
      task = await api('GET', '/audio/status/' + encodeURIComponent(id));
      delay = document.hidden ? 5000 : 1000;
    } catch (err) {
      if (err.status === 404) throw err;
      if (err.status === 401) return;
      delay = Math.min(delay * 2, 15000); // the server is busy or away: ask less often
      status.textContent = t('voice.retrying', { s: Math.round(delay / 1000) });
    }
    if (gen !== current()) return;
    if (task) {
      show(task);
      if (FINISHED.includes(task.status)) { finish(task); return; }
    }
    await new Promise(r => setTimeout(r, delay));
    if (gen !== current()) return;
  }

  function show(x) {
    status.textContent = `${t('astatus.' + x.status)} · ${t('stage.' + (x.stage || 'queued'))}`;
    status.className = `status-line a-${x.status}`;
    bar.value = x.progress || 0;
    const pct = v => (v === null || v === undefined ? '—' : `${Math.round(v * 1000) / 10} %`);
    clear(facts).append(
      h('dt', {}, t('voice.attempt')), h('dd', { id: 'task-attempt' }, `${x.attempts} / ${x.max_attempts}`),
      h('dt', {}, t('voice.similarity')), h('dd', { id: 'task-similarity' }, `${pct(x.similarity)} (${t('voice.threshold')} ${pct(x.accuracy_threshold)})`),
      h('dt', {}, t('voice.engine')), h('dd', {}, [x.synthesizer, x.recognizer].filter(Boolean).join(' + ') || '—'),
      h('dt', {}, t('voice.verified')), h('dd', { id: 'task-verified' }, x.verified ? t('yes') : t('no')));
  }

  function finish(x) {
    const parts = [];
    if (x.error) parts.push(h('p', { class: 'form-alert', role: 'alert' }, `${x.error.stage}: ${x.error.message}`));
    if (x.warning) parts.push(h('p', { class: 'notice' }, x.warning));
    if (x.audio_url || x.status === 'succeeded' || x.status === 'partial') {
      const src = '/api/v1/audio/download/' + encodeURIComponent(x.task_id);
      parts.push(h('audio', { controls: true, preload: 'auto', src, id: 'player', 'aria-label': t('voice.player') }),
        h('p', {}, h('a', { class: 'btn', href: src, download: `voice-over-${x.task_id}.wav`, id: 'download' }, t('voice.download'))));
    }
    parts.push(h('h2', {}, t('voice.script')), words(x));
    if (x.transcript) parts.push(h('h3', {}, t('voice.heard')), h('p', { class: 'transcript', id: 'transcript' }, x.transcript));
    if (x.iterations && x.iterations.length > 1) {
      // An attempt's flagged words are why it was tried again, even at a
      // similarity over the threshold.
      parts.push(h('h3', {}, t('voice.attempts')), h('ol', { class: 'plain', id: 'attempts' }, x.iterations.map(it =>
        h('li', {}, `#${it.attempt}: ${it.similarity === null ? '—' : Math.round(it.similarity * 1000) / 10 + ' %'}` +
          (it.flagged ? ` · ${t('voice.flagged', { n: it.flagged })}` : '')))));
    }
    clear(result).append(h('section', { class: 'panel' }, parts));
  }
}

// words shows the script with each word marked by what the recognizer made of
// it, where the status answer carries that (`words`); otherwise the text the
// voice read, unmarked. A substituted word shows what was heard in its place
// (a wrong price is read at a glance: "four → five"); a missing word is
// struck through; extra speech, which the script does not have, is marked
// apart from both.
function words(x) {
  if (!Array.isArray(x.words) || x.words.length === 0) {
    return h('p', { class: 'spoken', id: 'spoken' }, x.normalized_text || x.text);
  }
  const legend = h('p', { class: 'legend' }, ['ok', 'substituted', 'missing', 'extra'].map(s => h('span', { class: 'w w-' + s }, t('word.' + s))));
  return h('div', {}, legend, h('p', { class: 'spoken words', id: 'spoken' }, x.words.map(w => {
    const label = w.status === 'substituted' && w.heard ? t('word.heard', { heard: w.heard }) : t('word.' + w.status);
    const timing = typeof w.start === 'number' ? ` ${w.start.toFixed(2)}–${(w.end ?? w.start).toFixed(2)} s` : '';
    // A screen reader hears the script as it reads, with a note only where
    // a word went wrong; the colour, the heard word and the title say the
    // same to the eye.
    const heard = w.status === 'substituted' && w.heard ? h('span', { class: 'w-heard', 'aria-hidden': 'true' }, `→ ${w.heard}`) : null;
    return [h('span', { class: 'w w-' + w.status, title: label + timing, 'data-status': w.status },
      w.word, heard, w.status === 'ok' ? null : h('span', { class: 'sr' }, ` (${label})`)), ' '];
  })));
}
