// The script writer: the request form, then the script as hook / body / CTA
// blocks with their timing, the estimated total against the target, editing
// a block (re-timed by the API's reading-speed model), regenerating, saving
// the blocks as shown to a new content of the campaign, and handing the text to the voice-over.
import { h, field, formValues, showErrors, formAlert, secs, clear } from './dom.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { navigate, flash, canWrite, state } from './app.js';
import { PLATFORMS, TONES, opts } from './campaigns.js';

export const LANGS = ['en', 'ko', 'ja', 'zh'];

export async function view(main, _m, params) {
  const campaigns = (await api('GET', '/campaigns?page_size=100')).campaigns;
  const preset = params.get('campaign_id') || '';
  const form = h('form', { id: 'writer-form', novalidate: true, class: 'grid-form' },
    formAlert(),
    field({ name: 'topic', label: t('f.topic'), type: 'textarea', required: true, attrs: { rows: 2 } }),
    field({ name: 'platform', label: t('f.platform'), type: 'select', value: 'youtube', options: opts(PLATFORMS) }),
    field({ name: 'language', label: t('f.language'), type: 'select', value: document.documentElement.lang === 'ko' ? 'ko' : 'en', options: opts(LANGS, 'lang.') }),
    field({ name: 'tone', label: t('f.tone'), type: 'select', value: 'professional', options: opts(TONES, 'tone.') }),
    field({ name: 'target_duration', label: t('f.target_duration'), type: 'number', value: 60, hint: t('f.target_duration.hint'), attrs: { inputmode: 'numeric' } }),
    field({ name: 'campaign_id', label: t('f.campaign'), type: 'select', value: preset, hint: t('f.campaign.hint'),
      options: [{ value: '', label: t('none') }].concat(campaigns.map(c => ({ value: c.id, label: c.name }))) }),
    h('div', { class: 'row' }, h('button', { class: 'btn primary', type: 'submit', id: 'generate', disabled: !canWrite() }, t('writer.generate'))));
  const out = h('section', { id: 'script', 'aria-live': 'polite' });
  let request = null;

  async function generate(regenerate) {
    const v = formValues(form);
    request = { ...v, target_duration: v.target_duration ? Number(v.target_duration) : undefined, regenerate };
    if (request.campaign_id) request.campaign_id = Number(request.campaign_id);
    else delete request.campaign_id;
    clear(out).append(h('p', { class: 'loading' }, t('writer.writing')));
    try {
      render(await api('POST', '/writer/generate', request));
    } catch (err) {
      clear(out);
      showErrors(form, err);
    }
  }
  form.addEventListener('submit', e => { e.preventDefault(); generate(false); });

  function render(sc, savedTo) {
    const blocks = sc.blocks.map(b => ({ ...b }));
    const total = h('p', { class: 'total', id: 'script-total' });
    const meter = h('div', { class: 'bar-track', 'aria-hidden': 'true' }, h('div', { class: 'bar-fill' }));
    const list = h('ol', { class: 'blocks', id: 'blocks' });
    let edited = false;

    function retime() { // blocks follow one another: a changed duration moves the rest
      let at = 0;
      for (const b of blocks) { b.start = at; at += b.duration; b.end = at; }
      const est = at, target = sc.target_duration, off = Math.abs(est - target) / target;
      total.textContent = t('writer.total', { est: secs(est), target: secs(target) }) + ' · ' + (off <= 0.1 ? t('writer.within') : t('writer.outside'));
      total.className = 'total ' + (off <= 0.1 ? 'ok' : 'warn');
      meter.firstChild.className = 'bar-fill ' + (off <= 0.1 ? 'ok' : 'warn');
      meter.firstChild.dataset.pct = Math.min(100, Math.round(est / target * 100));
      meter.firstChild.style.width = meter.firstChild.dataset.pct + '%';
      clear(list).append(...blocks.map(blockItem));
    }

    function blockItem(b, i) {
      const text = h('p', { class: 'block-text' }, b.text);
      const li = h('li', { class: `block ${b.type}`, 'data-type': b.type },
        h('div', { class: 'block-head' },
          h('span', { class: 'block-type' }, t('block.' + b.type)),
          h('span', { class: 'timing' }, `${secs(b.start)} – ${secs(b.end)} (${secs(b.duration)})`),
          canWrite() ? h('button', { type: 'button', class: 'btn small', 'aria-label': t('block.edit.named', { type: t('block.' + b.type), n: i + 1 }), onclick: () => editBlock(li, b) }, t('edit')) : null),
        text);
      return li;
    }

    function editBlock(li, b) {
      const area = field({ name: 'text', label: t('block.text', { type: t('block.' + b.type) }), type: 'textarea', value: b.text, attrs: { rows: 4 } });
      const f = h('form', { class: 'block-edit', novalidate: true }, formAlert(), area,
        h('div', { class: 'row' }, h('button', { type: 'submit', class: 'btn primary small' }, t('block.apply')),
          h('button', { type: 'button', class: 'btn small', onclick: retime }, t('cancel'))));
      f.addEventListener('submit', async e => {
        e.preventDefault();
        const textValue = f.elements.text.value;
        try {
          const d = await api('POST', '/writer/duration', { text: textValue, language: sc.language });
          b.text = textValue;
          b.duration = Math.max(d.seconds, 0.1);
          edited = true;
          retime();
          list.children[blocks.indexOf(b)].querySelector('button').focus();
        } catch (err) { showErrors(f, err); }
      });
      li.replaceChildren(f);
      f.elements.text.focus();
    }

    const fullText = () => blocks.map(b => b.text).join('\n');
    const actions = h('div', { class: 'row wrap' },
      canWrite() ? h('button', { type: 'button', class: 'btn', id: 'regenerate', onclick: () => generate(true) }, t('writer.regenerate')) : null,
      canWrite() ? h('button', { type: 'button', class: 'btn', id: 'save-content', onclick: save }, t('writer.save')) : null,
      h('button', { type: 'button', class: 'btn primary', id: 'to-voice', onclick: () => {
        state.draft = { text: fullText(), language: sc.language, content_id: edited ? null : sc.content_id };
        navigate('voice');
      } }, t('writer.tovoice')));
    const saveMsg = h('p', { class: 'notice', id: 'save-msg', hidden: !savedTo }, savedTo || '');

    async function save() {
      const cid = request && request.campaign_id;
      if (!cid) { saveMsg.textContent = t('writer.needcampaign'); saveMsg.hidden = false; form.elements.campaign_id.focus(); return; }
      try {
        const content = await api('POST', `/campaigns/${cid}/contents`, {
          title: request.topic.slice(0, 200), topic: request.topic, platform: request.platform,
          language: request.language, target_duration: request.target_duration,
        });
        // The blocks as shown, edits included, become the content's script.
        const stored = await api('PUT', `/contents/${content.id}/script`, { blocks: blocks.map(b => ({ type: b.type, text: b.text })) });
        render(stored, t('writer.saved', { title: content.title }));
        flash(t('writer.saved', { title: content.title }));
      } catch (err) { saveMsg.textContent = err.message; saveMsg.hidden = false; }
    }

    clear(out).append(h('div', { class: 'panel', id: 'script-panel', 'data-script-id': sc.script_id },
      h('h2', {}, t('writer.script')),
      h('p', { class: 'meta' }, `${t('writer.provider')}: ${sc.provider}${sc.cached ? ' · ' + t('writer.cached') : ''}`),
      total, meter, list, actions, saveMsg));
    retime();
  }

  main.append(h('div', { class: 'head' }, h('h1', {}, t('nav.writer'))),
    h('section', { class: 'panel' }, form), out);
}
