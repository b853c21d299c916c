// catweete playground: a page that looks and behaves like a Slack channel.
// It talks to the playground server only through the JSON API described in
// playground/API.md: GET /pg/state, the GET /pg/events stream, and the POST
// routes for what a person does (send, click, submit, close, shortcut).
// No framework: a few render functions over one state object.
'use strict';

(function () {
  const BOT_ID = 'UBOT';
  const BOT_NAME = 'catweete';
  const NETWORK_REFRESH_MS = 3000;

  const state = {
    users: [],
    channels: [],
    messages: new Map(), // "channel ts" → Message
    views: new Map(), // view id → View
    viewRevs: new Map(), // view id → how many times the server sent it
    user: '',
    channel: '',
    tab: 'channel', // or "network", "home"
    homes: new Map(), // user → their published Home tab (a View)
    focusPost: '', // the network post a #network/<id> link asked for, to scroll to
    highlightPost: '', // and to show outlined
    thread: null, // {channel, ts}
    unread: new Set(),
    network: [],
    ready: false,
  };

  const $ = (sel, root) => (root || document).querySelector(sel);

  // ---- small DOM helpers ---------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') el.className = v;
        else if (k === 'html') el.innerHTML = v;
        else if (k === 'text') el.textContent = v;
        else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else if (k === 'dataset') Object.assign(el.dataset, v);
        else el.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function escapeHTML(s) {
    return String(s)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;');
  }

  // Slack escapes exactly these three in message text.
  function unescapeSlack(s) {
    return String(s).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  }

  // ---- people and places ---------------------------------------------------

  function userName(id) {
    if (!id || id === BOT_ID) return id === BOT_ID || !id ? BOT_NAME : id;
    const u = state.users.find((x) => x.id === id);
    return u ? u.name : id;
  }

  function channelName(id) {
    const c = state.channels.find((x) => x.id === id);
    return c ? String(c.name).replace(/^#/, '') : id;
  }

  // channelTitle is how a conversation is named in its header and composer:
  // "#general", or the bot's name for one's direct messages with it.
  function channelTitle(id) {
    const c = state.channels.find((x) => x.id === id);
    return c && c.user ? BOT_NAME : '#' + channelName(id);
  }

  function initials(name) {
    const words = String(name).replace(/\(.*\)/, '').trim().split(/\s+/);
    return words.map((w) => w[0] || '').join('').slice(0, 2).toUpperCase() || '?';
  }

  const AVATAR_COLORS = ['#e8912d', '#2bac76', '#1d9bd1', '#cd2553', '#4a154b', '#3aa3e3', '#e01e5a'];
  function avatar(id, small) {
    const cls = 'avatar' + (small ? ' avatar-small' : '');
    if (!id || id === BOT_ID) return h('span', { class: cls + ' avatar-bot', 'aria-hidden': 'true' }, '🐱');
    let sum = 0;
    for (const ch of id) sum += ch.charCodeAt(0);
    const el = h('span', { class: cls, 'aria-hidden': 'true' }, initials(userName(id)));
    el.style.background = AVATAR_COLORS[sum % AVATAR_COLORS.length];
    return el;
  }

  // ---- timestamps ------------------------------------------------------------

  function compareTS(a, b) {
    const [ai, af = ''] = String(a).split('.');
    const [bi, bf = ''] = String(b).split('.');
    if (ai.length !== bi.length) return ai.length - bi.length;
    if (ai !== bi) return ai < bi ? -1 : 1;
    const fa = af.padEnd(6, '0');
    const fb = bf.padEnd(6, '0');
    return fa < fb ? -1 : fa > fb ? 1 : 0;
  }

  function tsDate(ts) {
    const secs = parseInt(String(ts).split('.')[0], 10);
    return Number.isFinite(secs) ? new Date(secs * 1000) : null;
  }

  function formatTime(ts) {
    const d = tsDate(ts);
    if (!d) return '';
    return d.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' });
  }

  function formatDateTime(value) {
    const d = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
    if (Number.isNaN(d.getTime())) return String(value || '');
    return d.toLocaleString('fr-FR', { dateStyle: 'medium', timeStyle: 'short' });
  }

  // ---- mrkdwn ------------------------------------------------------------------

  const EMOJI = {
    rocket: '🚀', white_check_mark: '✅', heavy_check_mark: '✔️', warning: '⚠️', x: '❌', tada: '🎉',
    calendar: '📅', spiral_calendar_pad: '🗓️', hourglass: '⌛', hourglass_flowing_sand: '⏳', eyes: '👀',
    chart_with_upwards_trend: '📈', chart_with_downwards_trend: '📉', bar_chart: '📊', memo: '📝',
    pencil: '📝', pencil2: '✏️', clock: '🕒', alarm_clock: '⏰', bell: '🔔', mega: '📣', loudspeaker: '📢',
    thumbsup: '👍', '+1': '👍', thumbsdown: '👎', wave: '👋', cat: '🐱', link: '🔗', no_entry: '⛔',
    no_entry_sign: '🚫', question: '❓', exclamation: '❗', information_source: 'ℹ️', fire: '🔥',
    sparkles: '✨', star: '⭐', inbox_tray: '📥', outbox_tray: '📤', bird: '🐦', repeat: '🔁',
    heart: '❤️', speech_balloon: '💬', arrows_counterclockwise: '🔄', stopwatch: '⏱️', zzz: '💤',
  };

  function emojify(escaped) {
    return escaped.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] || m);
  }

  function safeURL(url) {
    return /^(https?:|mailto:)/i.test(url) || url.startsWith('/') ? url : '';
  }

  // A <…> token of Slack's syntax: links, mentions, channels, special
  // mentions, dates.
  function renderToken(inner) {
    const bar = inner.indexOf('|');
    const target = bar >= 0 ? inner.slice(0, bar) : inner;
    const label = bar >= 0 ? inner.slice(bar + 1) : '';
    if (target.startsWith('@')) {
      const id = target.slice(1);
      const name = userName(id) !== id || !label ? userName(id) : label.replace(/^@/, '');
      return `<span class="mention" data-user-id="${escapeHTML(id)}">@${escapeHTML(unescapeSlack(name))}</span>`;
    }
    if (target.startsWith('#')) {
      const id = target.slice(1);
      const name = label || channelName(id);
      return `<a href="#" class="channel-link" data-channel-link="${escapeHTML(id)}">#${escapeHTML(unescapeSlack(name).replace(/^#/, ''))}</a>`;
    }
    if (target.startsWith('!')) {
      const special = target.slice(1);
      let text;
      if (special.startsWith('subteam^')) text = label ? label.replace(/^@?/, '@') : '@' + special.slice(8);
      else if (special.startsWith('date^')) text = label || special;
      else text = '@' + (label || special);
      return `<span class="mention mention-special">${escapeHTML(unescapeSlack(text))}</span>`;
    }
    const url = safeURL(unescapeSlack(target));
    const shown = unescapeSlack(label || target);
    if (!url) return escapeHTML(shown);
    return `<a href="${escapeHTML(url)}" target="_blank" rel="noopener noreferrer">${escapeHTML(shown)}</a>`;
  }

  // Bold, italic and strike, with Slack's rule that a marker sits at a word
  // boundary.
  const INLINE = [
    [/(^|[^\p{L}\p{N}*])\*(?=\S)([^*\n]*?\S)\*(?![\p{L}\p{N}*])/gu, 'b'],
    [/(^|[^\p{L}\p{N}_])_(?=\S)([^_\n]*?\S)_(?![\p{L}\p{N}_])/gu, 'i'],
    [/(^|[^\p{L}\p{N}~])~(?=\S)([^~\n]*?\S)~(?![\p{L}\p{N}~])/gu, 's'],
  ];

  function inlineFormat(escaped) {
    let out = escaped;
    for (const [re, tag] of INLINE) out = out.replace(re, (m, pre, body) => `${pre}<${tag}>${body}</${tag}>`);
    return out;
  }

  // mrkdwn turns Slack's mrkdwn (entities &lt; &gt; &amp; escaped) into safe
  // HTML.
  function mrkdwn(text) {
    const saved = [];
    const keep = (html) => `\u0001${saved.push(html) - 1}\u0002`;
    let s = String(text || '');
    s = s.replace(/```\n?([\s\S]*?)```/g, (m, code) => keep(`<pre class="code-block">${escapeHTML(unescapeSlack(code))}</pre>`));
    s = s.replace(/`([^`\n]+)`/g, (m, code) => keep(`<code>${escapeHTML(unescapeSlack(code))}</code>`));
    s = s.replace(/<([^<>\n]+)>/g, (m, inner) => keep(renderToken(inner)));
    // Bare addresses are links too, as Slack shows them; trailing
    // punctuation is the sentence's.
    s = s.replace(/https?:\/\/(?:(?!&lt;|&gt;)[^\s<>\u0001\u0002])+/g, (url) => {
      const tail = (/[.,;:!?)\]]+$/.exec(url) || [''])[0];
      return keep(renderToken(url.slice(0, url.length - tail.length))) + tail;
    });
    const lines = s.split('\n');
    const out = [];
    let quote = [];
    const flush = () => {
      if (quote.length) out.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
      quote = [];
    };
    for (const line of lines) {
      const m = /^(?:&gt;|>)\s?(.*)$/.exec(line);
      const body = m ? m[1] : line;
      const html = inlineFormat(emojify(escapeHTML(unescapeSlack(body))));
      if (m) quote.push(html);
      else {
        flush();
        out.push(html + '\n');
      }
    }
    flush();
    let html = out.join('').replace(/\n$/, '').replace(/\n/g, '<br>');
    html = html.replace(/<\/blockquote><br>/g, '</blockquote>');
    for (let i = 0; i < 3 && html.includes('\u0001'); i++) {
      html = html.replace(/\u0001(\d+)\u0002/g, (m, n) => saved[Number(n)]);
    }
    return html;
  }

  function plainHTML(text, emoji) {
    let html = escapeHTML(text || '');
    if (emoji !== false) html = emojify(html);
    return html.replace(/\n/g, '<br>');
  }

  // textHTML renders a Block Kit text object.
  function textHTML(obj) {
    if (!obj) return '';
    if (typeof obj === 'string') return mrkdwn(obj);
    if (obj.type === 'plain_text') return plainHTML(obj.text, obj.emoji);
    return mrkdwn(obj.text);
  }

  function textEl(tag, cls, obj) {
    const el = h(tag, { class: cls + ' ' + (obj && obj.type === 'plain_text' ? 'is-plain' : 'is-mrkdwn') });
    el.innerHTML = textHTML(obj);
    return el;
  }

  function plainText(obj) {
    if (!obj) return '';
    return typeof obj === 'string' ? obj : obj.text || '';
  }

  // ---- Block Kit ---------------------------------------------------------------

  // ctx says where the blocks live: {message} or {view}.
  function renderBlocks(blocks, ctx) {
    const wrap = h('div', { class: 'blocks' });
    for (const block of blocks || []) {
      const el = renderBlock(block, ctx);
      if (el) {
        el.classList.add('bk-block');
        el.dataset.blockType = block.type || '';
        if (block.block_id) el.dataset.blockId = block.block_id;
        wrap.append(el);
      }
    }
    return wrap;
  }

  function renderBlock(block, ctx) {
    switch (block.type) {
      case 'header':
        return textEl('div', 'bk-header', block.text);
      case 'section':
        return renderSection(block, ctx);
      case 'context': {
        const el = h('div', { class: 'bk-context' });
        for (const e of block.elements || []) {
          if (e.type === 'image') el.append(h('img', { class: 'bk-context-image', src: e.image_url, alt: e.alt_text || '' }));
          else el.append(textEl('span', 'bk-context-text', e));
        }
        return el;
      }
      case 'divider':
        return h('hr', { class: 'bk-divider' });
      case 'image':
        return h('figure', { class: 'bk-image' },
          block.title ? h('figcaption', { html: textHTML(block.title) }) : null,
          h('img', { src: block.image_url || (block.slack_file && block.slack_file.url) || '', alt: block.alt_text || '' }));
      case 'actions': {
        const el = h('div', { class: 'bk-actions' });
        for (const e of block.elements || []) el.append(renderElement(e, block, ctx));
        return el;
      }
      case 'input':
        return renderInput(block, ctx);
      case 'rich_text':
        return h('div', { class: 'bk-section', text: richText(block) });
      default: {
        const text = block.text ? textHTML(block.text) : '';
        return text ? h('div', { class: 'bk-unknown', html: text }) : null;
      }
    }
  }

  function richText(block) {
    const parts = [];
    const walk = (n) => {
      if (!n) return;
      if (typeof n.text === 'string') parts.push(n.text);
      if (n.type === 'user') parts.push('@' + userName(n.user_id));
      if (n.type === 'link') parts.push(n.text || n.url);
      (n.elements || []).forEach(walk);
    };
    walk(block);
    return parts.join('');
  }

  function renderSection(block, ctx) {
    const el = h('div', { class: 'bk-section' });
    const body = h('div', { class: 'bk-section-body' });
    if (block.text) body.append(textEl('div', 'bk-section-text', block.text));
    if (block.fields && block.fields.length) {
      const fields = h('div', { class: 'bk-fields' });
      for (const f of block.fields) fields.append(textEl('div', 'bk-field', f));
      body.append(fields);
    }
    el.append(body);
    if (block.accessory) {
      const acc = block.accessory;
      const side = h('div', { class: 'bk-accessory' });
      if (acc.type === 'image') side.append(h('img', { src: acc.image_url, alt: acc.alt_text || '' }));
      else side.append(renderElement(acc, block, ctx));
      el.append(side);
    }
    return el;
  }

  // renderElement draws an interactive element of a message or a view.
  function renderElement(e, block, ctx) {
    const base = { 'data-action-id': e.action_id || '', 'data-block-id': block.block_id || '' };
    if (e.type === 'button') {
      const styleCls = e.style === 'primary' ? ' bk-button-primary' : e.style === 'danger' ? ' bk-button-danger' : '';
      const btn = h('button', Object.assign({ type: 'button', class: 'bk-button' + styleCls, 'data-style': e.style || '' }, base),
        plainText(e.text));
      if (e.value !== undefined) btn.dataset.value = e.value;
      if (e.url) btn.dataset.url = e.url;
      btn.addEventListener('click', () => clickButton(btn, e, block, ctx));
      return btn;
    }
    if (e.type === 'static_select' || e.type === 'overflow') {
      const sel = h('select', Object.assign({ class: 'bk-select' }, base));
      sel.append(h('option', { value: '' }, plainText(e.placeholder) || (e.type === 'overflow' ? '⋯' : 'Choisir…')));
      for (const o of allOptions(e)) sel.append(h('option', { value: o.value }, plainText(o.text)));
      sel.addEventListener('change', () => {
        if (!sel.value) return;
        sendAction({ ctx, block, action: e, value: sel.value });
      });
      return sel;
    }
    return h('span', { class: 'bk-unsupported' }, `[${e.type}]`);
  }

  function allOptions(e) {
    const out = [...(e.options || [])];
    for (const g of e.option_groups || []) out.push(...(g.options || []));
    return out;
  }

  async function clickButton(btn, e, block, ctx) {
    if (e.url && safeURL(e.url)) window.open(e.url, '_blank', 'noopener');
    if (e.confirm) {
      const ok = await confirmDialog(e.confirm, e.style);
      if (!ok) return;
    }
    btn.disabled = true;
    btn.classList.add('is-busy');
    try {
      await sendAction({ ctx, block, action: e, value: e.value || '' });
    } finally {
      // The message may have been redrawn meanwhile; then btn is gone.
      btn.disabled = false;
      btn.classList.remove('is-busy');
    }
  }

  function sendAction({ ctx, block, action, value }) {
    const body = {
      user: state.user,
      channel: ctx.message ? ctx.message.channel : '',
      message_ts: ctx.message ? ctx.message.ts : '',
      block_id: block.block_id || '',
      action_id: action.action_id || '',
      value: value,
      view_id: ctx.view ? ctx.view.id : '',
    };
    return post('/pg/action', body);
  }

  // confirmDialog shows a button's confirm object; it resolves to true when
  // the person confirms.
  function confirmDialog(confirm, style) {
    return new Promise((resolve) => {
      const root = $('#confirm-root');
      const done = (ok) => {
        root.replaceChildren();
        document.removeEventListener('keydown', onKey, true);
        resolve(ok);
      };
      const onKey = (ev) => {
        if (ev.key === 'Escape') {
          ev.stopPropagation();
          done(false);
        }
      };
      const danger = confirm.style === 'danger' || (!confirm.style && style === 'danger');
      const dlg = h('div', { class: 'modal confirm-dialog', role: 'dialog', 'aria-modal': 'true' },
        h('header', { class: 'modal-header' }, h('h2', { class: 'modal-title confirm-title' }, plainText(confirm.title) || 'Êtes-vous sûr·e ?')),
        h('div', { class: 'modal-body confirm-text', html: textHTML(confirm.text) }),
        h('footer', { class: 'modal-footer' },
          h('button', { type: 'button', class: 'bk-button confirm-deny', 'data-role': 'deny', onclick: () => done(false) },
            plainText(confirm.deny) || 'Annuler'),
          h('button', { type: 'button', class: 'bk-button confirm-confirm ' + (danger ? 'bk-button-danger' : 'bk-button-primary'),
            'data-role': 'confirm', onclick: () => done(true) }, plainText(confirm.confirm) || 'Confirmer')));
      root.replaceChildren(h('div', { class: 'modal-backdrop', onclick: (ev) => { if (ev.target === ev.currentTarget) done(false); } }, dlg));
      document.addEventListener('keydown', onKey, true);
      $('.confirm-confirm', dlg).focus();
    });
  }

  // ---- messages ------------------------------------------------------------------

  const key = (m) => m.channel + ' ' + m.ts;

  function visible(m) {
    return !m.ephemeral_for || m.ephemeral_for === state.user;
  }

  function isRoot(m) {
    return !m.thread_ts || m.thread_ts === m.ts;
  }

  function repliesOf(channel, ts) {
    const out = [];
    for (const m of state.messages.values()) {
      if (m.channel === channel && m.thread_ts === ts && m.ts !== ts && visible(m)) out.push(m);
    }
    return out.sort((a, b) => compareTS(a.ts, b.ts));
  }

  function replyCount(m) {
    const local = repliesOf(m.channel, m.ts).filter((r) => !r.ephemeral_for).length;
    return Math.max(Number(m.reply_count) || 0, local);
  }

  function renderMessage(m, where) {
    const eph = !!m.ephemeral_for;
    const el = h('div', {
      class: 'message' + (eph ? ' message-ephemeral' : '') + (m.user === BOT_ID || !m.user ? ' message-bot' : ''),
      'data-ts': m.ts, 'data-channel': m.channel, 'data-user': m.user || BOT_ID,
      'data-thread-ts': m.thread_ts || '', 'data-ephemeral': eph ? 'true' : 'false',
    });
    const head = h('div', { class: 'message-head' },
      h('span', { class: 'message-author' }, userName(m.user)),
      m.user === BOT_ID || !m.user ? h('span', { class: 'app-badge' }, 'APP') : null,
      h('time', { class: 'message-time', title: tsDate(m.ts) ? tsDate(m.ts).toLocaleString('fr-FR') : '' }, formatTime(m.ts)),
      m.edited ? h('span', { class: 'message-edited' }, '(modifié)') : null);
    const body = h('div', { class: 'message-body' });
    if (eph) body.append(h('div', { class: 'ephemeral-note' }, h('span', { 'aria-hidden': 'true' }, '👁 '), 'Visible uniquement par vous'));
    body.append(head);
    if (m.blocks && m.blocks.length) body.append(renderBlocks(m.blocks, { message: m }));
    else body.append(h('div', { class: 'message-text', html: mrkdwn(m.text) }));
    for (const f of m.files || []) body.append(renderFile(f));
    if (where === 'channel') {
      const n = replyCount(m);
      if (n > 0) {
        body.append(h('button', { type: 'button', class: 'reply-count', 'data-thread-ts': m.ts,
          onclick: () => openThread(m.channel, m.ts) }, `${n} ${n > 1 ? 'réponses' : 'réponse'}`));
      }
    }
    el.append(avatar(m.user), body);
    if (!eph) {
      const tools = h('div', { class: 'message-tools' });
      if (where === 'channel') {
        tools.append(h('button', { type: 'button', class: 'tool reply-in-thread', title: 'Répondre dans le fil',
          onclick: () => openThread(m.channel, m.ts) }, '💬'));
      }
      tools.append(h('button', { type: 'button', class: 'tool msg-shortcut', 'data-shortcut': 'suggest_post',
        title: 'Raccourci : Proposer comme post', onclick: () => shortcut(m) }, '⚡ Proposer comme post'));
      el.append(tools);
    }
    return el;
  }

  function renderFile(f) {
    const src = f.id ? `/pg/files/${encodeURIComponent(f.id)}` : f.url;
    const img = h('img', { src, alt: f.title || f.id || '', loading: 'lazy' });
    img.addEventListener('error', () => img.replaceWith(h('a', { href: src, target: '_blank' }, '📎 ' + (f.title || f.id))));
    return h('figure', { class: 'msg-file', 'data-file-id': f.id || '' },
      h('a', { href: src, target: '_blank', rel: 'noopener' }, img),
      f.title ? h('figcaption', {}, f.title) : null);
  }

  // Rendered messages are kept by key with the JSON they were drawn from,
  // so a message is redrawn in place only when it changed.
  const drawn = { channel: new Map(), thread: new Map() };

  function reconcile(container, list, cache, where, extraSig) {
    const next = new Map();
    const nodes = [];
    for (const m of list) {
      const sig = JSON.stringify(m) + '|' + extraSig(m);
      const old = cache.get(key(m));
      const el = old && old.sig === sig ? old.el : renderMessage(m, where);
      next.set(key(m), { el, sig });
      nodes.push(el);
    }
    cache.clear();
    for (const [k, v] of next) cache.set(k, v);
    const same = nodes.length === container.children.length && nodes.every((n, i) => container.children[i] === n);
    if (!same) container.replaceChildren(...nodes);
  }

  // A list scrolled to its end stays there as messages and pictures come
  // in; one the person scrolled up in stays put.
  const stick = { messages: true, thread: true };

  function keepAtEnd(el, which) {
    el.addEventListener('scroll', () => {
      stick[which] = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    });
    // Pictures grow the list when they load ("load" does not bubble).
    el.addEventListener('load', () => {
      if (stick[which]) el.scrollTop = el.scrollHeight;
    }, true);
  }

  function renderMessages() {
    const list = $('#messages');
    const msgs = [...state.messages.values()]
      .filter((m) => m.channel === state.channel && isRoot(m) && visible(m))
      .sort((a, b) => compareTS(a.ts, b.ts));
    const sig = (m) => state.user + '|' + replyCount(m) + '|' + namesSig;
    if (!msgs.length) {
      drawn.channel.clear();
      list.replaceChildren(h('div', { class: 'empty' }, `C'est le début de ${channelTitle(state.channel)}. Essayez `,
        h('code', {}, '/catweete brouillon Notre premier post !'), ' ou ', h('code', {}, '@catweete alors ça tweete ?')));
      return;
    }
    if (list.querySelector('.empty')) list.replaceChildren();
    reconcile(list, msgs, drawn.channel, 'channel', sig);
    if (stick.messages) list.scrollTop = list.scrollHeight;
  }

  function renderThread() {
    const pane = $('#thread-pane');
    if (!state.thread || state.tab !== 'channel') {
      pane.hidden = true;
      document.body.classList.remove('with-thread');
      return;
    }
    const root = state.messages.get(state.thread.channel + ' ' + state.thread.ts);
    pane.hidden = false;
    pane.dataset.threadTs = state.thread.ts;
    document.body.classList.add('with-thread');
    $('#thread-channel').textContent = channelTitle(state.thread.channel);
    const box = $('#thread-messages');
    const replies = repliesOf(state.thread.channel, state.thread.ts);
    const list = root ? [root, ...replies] : replies;
    const n = replies.filter((r) => !r.ephemeral_for).length;
    reconcile(box, list, drawn.thread, 'thread', () => state.user + '|' + namesSig);
    // The divider "N réponses" after the root message.
    box.querySelectorAll('.thread-divider').forEach((d) => d.remove());
    if (root && box.firstChild) {
      box.firstChild.after(h('div', { class: 'thread-divider' }, n ? `${n} ${n > 1 ? 'réponses' : 'réponse'}` : 'Aucune réponse pour l’instant'));
    }
    if (stick.thread) box.scrollTop = box.scrollHeight;
  }

  function openThread(channel, ts) {
    state.thread = { channel, ts };
    stick.thread = true;
    drawn.thread.clear();
    $('#thread-messages').replaceChildren();
    renderThread();
    $('#thread-composer').focus();
  }

  // ---- sidebar, header, switcher ------------------------------------------------

  let namesSig = '';

  function renderChrome() {
    namesSig = state.users.map((u) => u.id + u.name).join(',');
    const sw = $('#user-switcher');
    const people = state.users.filter((u) => u.id !== BOT_ID);
    if (sw.options.length !== people.length || [...sw.options].some((o, i) => o.value !== people[i].id)) {
      sw.replaceChildren(...people.map((u) => h('option', { value: u.id }, u.name)));
    }
    sw.value = state.user;
    $('#current-avatar').replaceWith(Object.assign(avatar(state.user, true), { id: 'current-avatar' }));
    document.body.dataset.user = state.user;

    const ul = $('#channel-list');
    ul.replaceChildren(...state.channels.filter((c) => !c.user).map((c) => h('li', {},
      h('button', {
        type: 'button',
        class: 'channel-item' + (state.tab === 'channel' && c.id === state.channel ? ' active' : '') + (state.unread.has(c.id) ? ' unread' : ''),
        'data-channel-id': c.id, onclick: () => selectChannel(c.id),
      }, h('span', { class: 'channel-icon', 'aria-hidden': 'true' }, '#'), h('span', { class: 'channel-name' }, channelName(c.id))))));
    const dms = state.channels.filter((c) => c.user === state.user);
    $('#dm-section').hidden = !dms.length;
    $('#dm-list').replaceChildren(...dms.map((c) => h('li', {},
      h('button', {
        type: 'button',
        class: 'channel-item' + (state.tab === 'channel' && c.id === state.channel ? ' active' : '') + (state.unread.has(c.id) ? ' unread' : ''),
        'data-channel-id': c.id, onclick: () => selectChannel(c.id),
      }, avatar(BOT_ID, true), h('span', { class: 'channel-name' }, BOT_NAME)))));
    $('#network-tab').classList.toggle('active', state.tab === 'network');

    $('#home-tab').classList.toggle('active', state.tab === 'home');
    $('#channel-view').hidden = state.tab !== 'channel';
    $('#network-view').hidden = state.tab !== 'network';
    $('#home-view').hidden = state.tab !== 'home';
    document.body.dataset.tab = state.tab;
    document.body.dataset.channel = state.channel;
    $('#channel-title').textContent = channelTitle(state.channel);
    const dm = state.channels.some((c) => c.id === state.channel && c.user);
    $('#channel-topic').textContent = dm
      ? 'Vos messages directs avec catweete'
      : state.channel === 'CAPPROVALS'
        ? 'Les cartes d’approbation de catweete'
        : 'Demandez à @catweete : « alors ça tweete ? »';
    $('#composer').placeholder = `Envoyer un message à ${channelTitle(state.channel)}`;
  }

  function renderAll() {
    renderChrome();
    renderMessages();
    renderThread();
    renderModal();
    renderNetwork();
    renderHome();
  }

  function selectChannel(id) {
    state.tab = 'channel';
    if (state.channel !== id) {
      state.channel = id;
      state.thread = null;
      stick.messages = true;
      drawn.channel.clear();
      $('#messages').replaceChildren();
    }
    state.unread.delete(id);
    try { localStorage.setItem('pg.channel', id); } catch (e) { /* private mode */ }
    renderAll();
    $('#messages').scrollTop = $('#messages').scrollHeight;
  }

  function selectUser(id) {
    state.user = id;
    if (state.tab === 'home') post('/pg/home', { user: id }).catch(() => {});
    // Someone else's direct messages are not theirs to read.
    const c = state.channels.find((x) => x.id === state.channel);
    if (c && c.user && c.user !== id) {
      const first = state.channels.find((x) => !x.user);
      state.channel = first ? first.id : '';
      state.thread = null;
      stick.messages = true;
    }
    try { localStorage.setItem('pg.user', id); } catch (e) { /* private mode */ }
    renderAll();
  }

  // ---- errors ----------------------------------------------------------------------

  // The server tells of a failure of the bot twice, by an "error" event and
  // in its answer to the page's request: shown once.
  const recentErrors = [];

  function showError(text, source, raw) {
    const now = Date.now();
    const seen = raw || text;
    while (recentErrors.length && now - recentErrors[0].at > 5000) recentErrors.shift();
    if (recentErrors.some((e) => e.text === seen)) return;
    recentErrors.push({ text: seen, at: now });
    const banner = $('#error-banner');
    const item = h('div', { class: 'error-item', 'data-source': source || 'page' },
      h('span', { class: 'error-icon', 'aria-hidden': 'true' }, '⚠️'),
      h('span', { class: 'error-text' }, source === 'bot' ? 'Erreur du bot : ' : 'Erreur : ', text),
      h('button', { type: 'button', class: 'error-dismiss', title: 'Masquer', 'aria-label': 'Masquer',
        onclick: () => { item.remove(); banner.hidden = !banner.children.length; } }, '×'));
    banner.append(item);
    banner.hidden = false;
    while (banner.children.length > 5) banner.firstChild.remove();
  }

  async function post(path, body) {
    let resp;
    try {
      resp = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    } catch (err) {
      showError(`${path} : le serveur ne répond pas (${err.message})`);
      throw err;
    }
    const raw = await resp.text();
    let data = null;
    try { data = raw ? JSON.parse(raw) : null; } catch (e) { /* not JSON */ }
    if (!resp.ok) {
      const msg = (data && (data.error || data.message)) || raw.trim() || resp.statusText;
      showError(`${path} : ${resp.status} ${msg}`, 'page', msg);
      throw new Error(msg);
    }
    if (data && data.ok === false && data.error) showError(`${path} : ${data.error}`, 'page', data.error);
    return data;
  }

  // ---- composer ----------------------------------------------------------------------

  function setupComposer(form, textarea, threadTS) {
    const send = async () => {
      const text = textarea.value.trim();
      if (!text) return;
      const body = { user: state.user, channel: threadTS() ? state.thread.channel : state.channel, text, thread_ts: threadTS() };
      textarea.value = '';
      autosize(textarea);
      try {
        await post('/pg/send', body);
      } catch (e) {
        if (!textarea.value) textarea.value = text; // give the text back
      }
    };
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      send();
    });
    textarea.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        send();
      }
    });
    textarea.addEventListener('input', () => autosize(textarea));
  }

  function autosize(t) {
    t.style.height = 'auto';
    t.style.height = Math.min(t.scrollHeight, 200) + 'px';
  }

  function shortcut(m) {
    post('/pg/shortcut', { user: state.user, channel: m.channel, message_ts: m.ts }).catch(() => {});
  }

  // ---- modals ----------------------------------------------------------------------

  // currentView is the current person's top modal. A published Home tab
  // is a view too, but not a modal.
  function currentView() {
    let last = null;
    for (const v of state.views.values()) {
      const type = (v.view && v.view.type) || 'modal';
      if (v.user === state.user && type === 'modal') last = v;
    }
    return last;
  }

  let drawnView = { id: '', sig: '' };

  function renderModal() {
    const root = $('#modal-root');
    const v = currentView();
    if (!v) {
      if (drawnView.id) root.replaceChildren();
      drawnView = { id: '', sig: '' };
      return;
    }
    const sig = JSON.stringify(v.view) + '|' + state.user;
    if (drawnView.id === v.id && drawnView.sig === sig) {
      showViewErrors(v.errors || {});
      return;
    }
    const keepValues = drawnView.id === v.id ? readInputs(root) : null;
    root.replaceChildren(h('div', { class: 'modal-backdrop' }, buildModal(v)));
    if (keepValues) restoreInputs(root, keepValues);
    showViewErrors(v.errors || {});
    drawnView = { id: v.id, sig };
    const first = root.querySelector('.bk-input-field');
    if (first) first.focus();
  }

  function buildModal(v) {
    const view = v.view || {};
    const ctx = { view: v };
    const hasInputs = (view.blocks || []).some((b) => b.type === 'input');
    const form = h('form', { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'data-view-id': v.id,
      'data-callback-id': view.callback_id || '', novalidate: true });
    form.append(
      h('header', { class: 'modal-header' },
        h('h2', { class: 'modal-title' }, plainText(view.title) || 'catweete'),
        h('button', { type: 'button', class: 'icon-button modal-x', title: 'Fermer', 'aria-label': 'Fermer', onclick: () => closeView(v) }, '×')),
      h('div', { class: 'modal-body' }, renderBlocks(view.blocks, ctx)),
      h('footer', { class: 'modal-footer' },
        h('button', { type: 'button', class: 'bk-button modal-close', 'data-role': 'close', onclick: () => closeView(v) },
          plainText(view.close) || (view.submit || hasInputs ? 'Annuler' : 'Fermer')),
        view.submit || hasInputs
          ? h('button', { type: 'submit', class: 'bk-button bk-button-primary modal-submit', 'data-role': 'submit' }, plainText(view.submit) || 'Envoyer')
          : null));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      submitView(v, form);
    });
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        closeView(v);
      }
    });
    return form;
  }

  function renderInput(block, ctx) {
    const e = block.element || {};
    const id = `in-${(ctx.view && ctx.view.id) || 'm'}-${block.block_id || ''}-${e.action_id || ''}`;
    const wrap = h('div', { class: 'bk-input', 'data-input-type': e.type || '', 'data-action-id': e.action_id || '',
      'data-optional': block.optional ? 'true' : 'false' });
    wrap.append(h('label', { class: 'bk-label', for: id }, plainText(block.label),
      block.optional ? h('span', { class: 'bk-optional' }, ' (facultatif)') : null));
    wrap.append(renderField(e, id));
    if (block.hint) wrap.append(h('div', { class: 'bk-hint', html: textHTML(block.hint) }));
    wrap.append(h('div', { class: 'bk-input-error', role: 'alert', hidden: true }));
    return wrap;
  }

  function toLocalInput(unix) {
    const d = new Date(unix * 1000);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }

  function renderField(e, id) {
    const common = { id, class: 'bk-input-field', 'data-action-id': e.action_id || '', name: e.action_id || '' };
    const placeholder = plainText(e.placeholder);
    switch (e.type) {
      case 'plain_text_input':
      case 'email_text_input':
      case 'url_text_input':
      case 'number_input': {
        if (e.multiline) {
          const t = h('textarea', Object.assign({ rows: 5, placeholder, maxlength: e.max_length || null }, common));
          t.value = e.initial_value || '';
          return t;
        }
        const type = { email_text_input: 'email', url_text_input: 'url', number_input: 'number' }[e.type] || 'text';
        const i = h('input', Object.assign({ type, placeholder, maxlength: e.max_length || null }, common));
        i.value = e.initial_value || '';
        return i;
      }
      case 'static_select': {
        const sel = h('select', common, h('option', { value: '' }, placeholder || 'Choisir une option'));
        for (const o of allOptions(e)) sel.append(h('option', { value: o.value }, plainText(o.text)));
        if (e.initial_option) sel.value = e.initial_option.value;
        return sel;
      }
      case 'multi_static_select':
      case 'checkboxes':
      case 'radio_buttons': {
        const multi = e.type !== 'radio_buttons';
        const initial = new Set((multi ? e.initial_options || [] : e.initial_option ? [e.initial_option] : []).map((o) => o.value));
        const box = h('div', Object.assign({}, common, { class: 'bk-input-field bk-choices', role: multi ? 'group' : 'radiogroup', tabindex: -1 }));
        for (const o of allOptions(e)) {
          const input = h('input', { type: multi ? 'checkbox' : 'radio', name: id, value: o.value });
          input.checked = initial.has(o.value);
          box.append(h('label', { class: 'bk-choice' }, input, ' ', plainText(o.text)));
        }
        return box;
      }
      case 'datetimepicker': {
        const i = h('input', Object.assign({ type: 'datetime-local' }, common));
        if (e.initial_date_time) i.value = toLocalInput(e.initial_date_time);
        return i;
      }
      case 'datepicker': {
        const i = h('input', Object.assign({ type: 'date' }, common));
        if (e.initial_date) i.value = e.initial_date;
        return i;
      }
      case 'timepicker': {
        const i = h('input', Object.assign({ type: 'time' }, common));
        if (e.initial_time) i.value = e.initial_time;
        return i;
      }
      default:
        return h('div', common, `[élément non pris en charge : ${e.type}]`);
    }
  }

  // readInputs collects the values of the modal's inputs in Slack's
  // view.state.values shape, keyed by block_id then action_id.
  function readInputs(root) {
    const values = {};
    const form = root.querySelector('.modal[data-view-id]');
    if (!form) return values;
    for (const blockEl of form.querySelectorAll('.bk-block[data-block-type="input"]')) {
      const blockID = blockEl.dataset.blockId || '';
      const wrap = blockEl;
      const type = wrap.dataset.inputType;
      const field = wrap.querySelector('.bk-input-field');
      if (!field) continue;
      const actionID = field.dataset.actionId || '';
      let v;
      switch (type) {
        case 'plain_text_input':
        case 'email_text_input':
        case 'url_text_input':
        case 'number_input':
          v = { type, value: field.value === '' ? null : field.value };
          break;
        case 'static_select': {
          const o = field.selectedOptions[0];
          v = { type, selected_option: field.value ? { text: { type: 'plain_text', text: o.textContent }, value: field.value } : null };
          break;
        }
        case 'radio_buttons': {
          const c = field.querySelector('input:checked');
          v = { type, selected_option: c ? { text: { type: 'plain_text', text: c.parentElement.textContent.trim() }, value: c.value } : null };
          break;
        }
        case 'multi_static_select':
        case 'checkboxes':
          v = {
            type,
            selected_options: [...field.querySelectorAll('input:checked')].map((c) => ({
              text: { type: 'plain_text', text: c.parentElement.textContent.trim() }, value: c.value,
            })),
          };
          break;
        case 'datetimepicker': {
          const t = field.value ? new Date(field.value).getTime() : NaN;
          v = { type, selected_date_time: Number.isFinite(t) ? Math.floor(t / 1000) : null };
          break;
        }
        case 'datepicker':
          v = { type, selected_date: field.value || null };
          break;
        case 'timepicker':
          v = { type, selected_time: field.value || null };
          break;
        default:
          continue;
      }
      values[blockID] = values[blockID] || {};
      values[blockID][actionID] = v;
    }
    return values;
  }

  function restoreInputs(root, values) {
    for (const blockEl of root.querySelectorAll('.bk-block[data-block-type="input"]')) {
      const field = blockEl.querySelector('.bk-input-field');
      const v = field && (values[blockEl.dataset.blockId || ''] || {})[field.dataset.actionId || ''];
      if (!v || v.type !== blockEl.dataset.inputType) continue;
      if ('value' in v) field.value = v.value || '';
      else if ('selected_date_time' in v) field.value = v.selected_date_time ? toLocalInput(v.selected_date_time) : '';
      else if ('selected_date' in v) field.value = v.selected_date || '';
      else if ('selected_time' in v) field.value = v.selected_time || '';
      else if ('selected_options' in v) {
        const chosen = new Set(v.selected_options.map((o) => o.value));
        field.querySelectorAll('input').forEach((c) => { c.checked = chosen.has(c.value); });
      } else if ('selected_option' in v) {
        if (field.tagName === 'SELECT') field.value = v.selected_option ? v.selected_option.value : '';
        else field.querySelectorAll('input').forEach((c) => { c.checked = !!v.selected_option && c.value === v.selected_option.value; });
      }
    }
  }

  function isEmpty(v) {
    if (!v) return true;
    if ('value' in v) return v.value === null || String(v.value).trim() === '';
    if ('selected_options' in v) return !v.selected_options.length;
    if ('selected_option' in v) return !v.selected_option;
    if ('selected_date_time' in v) return !v.selected_date_time;
    if ('selected_date' in v) return !v.selected_date;
    if ('selected_time' in v) return !v.selected_time;
    return true;
  }

  function showViewErrors(errors) {
    const form = $('#modal-root .modal[data-view-id]');
    if (!form) return;
    for (const blockEl of form.querySelectorAll('.bk-block[data-block-type="input"]')) {
      const msg = errors[blockEl.dataset.blockId || ''];
      const box = blockEl.querySelector('.bk-input-error');
      box.textContent = msg || '';
      box.hidden = !msg;
      blockEl.classList.toggle('has-error', !!msg);
    }
    const unknown = Object.keys(errors).filter((b) => !form.querySelector(`.bk-block[data-block-id="${CSS.escape(b)}"]`));
    let general = form.querySelector('.modal-general-error');
    if (unknown.length) {
      if (!general) {
        general = h('div', { class: 'modal-general-error', role: 'alert' });
        form.querySelector('.modal-body').prepend(general);
      }
      general.textContent = unknown.map((b) => `${b} : ${errors[b]}`).join(' · ');
    } else if (general) general.remove();
  }

  async function submitView(v, form) {
    const values = readInputs($('#modal-root'));
    // Slack itself refuses an empty required field before anything is sent.
    const missing = {};
    for (const blockEl of form.querySelectorAll('.bk-block[data-block-type="input"]')) {
      const wrap = blockEl;
      if (wrap.dataset.optional === 'true') continue;
      const field = wrap.querySelector('.bk-input-field');
      const val = field && (values[wrap.dataset.blockId || ''] || {})[field.dataset.actionId || ''];
      if (isEmpty(val)) missing[wrap.dataset.blockId || ''] = 'Ce champ est obligatoire.';
    }
    if (Object.keys(missing).length) {
      showViewErrors(missing);
      return;
    }
    const submit = form.querySelector('.modal-submit');
    if (submit) submit.disabled = true;
    const rev = state.viewRevs.get(v.id) || 0;
    let data;
    try {
      data = await post('/pg/submit', { user: state.user, view_id: v.id, values });
    } catch (e) {
      if (submit) submit.disabled = false;
      return;
    }
    if (submit) submit.disabled = false;
    if (data && data.ok === false) {
      const errors = data.errors || {};
      const cur = state.views.get(v.id);
      if (cur) cur.errors = errors;
      showViewErrors(errors);
      if (!Object.keys(errors).length) showError('la soumission a été refusée' + (data.error ? ` : ${data.error}` : ''));
      return;
    }
    // Accepted: the modal closes, unless the server sent a new version of
    // it (response_action update or push) while the submission ran.
    if ((state.viewRevs.get(v.id) || 0) === rev) {
      state.views.delete(v.id);
      renderModal();
    }
  }

  function closeView(v) {
    state.views.delete(v.id);
    renderModal();
    post('/pg/close', { user: state.user, view_id: v.id }).catch(() => {});
  }

  // ---- the app's Home tab -------------------------------------------------------

  let drawnHome = '';

  function renderHome() {
    if (state.tab !== 'home') {
      drawnHome = '';
      return;
    }
    const v = state.homes.get(state.user);
    const box = $('#home-blocks');
    const sig = v ? v.id + JSON.stringify(v.view) : 'none ' + state.user;
    if (sig === drawnHome) return;
    drawnHome = sig;
    if (!v) {
      box.replaceChildren(h('div', { class: 'empty' }, 'Ouverture de l’accueil de catweete…'));
      return;
    }
    box.replaceChildren(h('div', { class: 'home', 'data-view-id': v.id }, renderBlocks((v.view || {}).blocks, { view: v })));
  }

  // openHome shows the Home tab; the bot hears app_home_opened and
  // publishes it afresh.
  function openHome() {
    state.tab = 'home';
    state.thread = null;
    renderAll();
    post('/pg/home', { user: state.user }).catch(() => {});
  }

  // ---- network tab -----------------------------------------------------------------

  const METRICS = [
    ['impressions', 'Impressions'], ['reach', 'Portée'], ['likes', 'J’aime'],
    ['reposts', 'Partages'], ['replies', 'Réponses'], ['clicks', 'Clics'],
  ];

  function renderNetwork() {
    const badge = $('#network-count');
    badge.hidden = !state.network.length;
    badge.textContent = String(state.network.length);
    if (state.tab !== 'network') return;
    const box = $('#network-posts');
    if (!state.network.length) {
      box.replaceChildren(h('div', { class: 'empty' }, 'Aucun post publié sur le réseau sandbox pour l’instant. Approuvez un brouillon dans #approbations.'));
      return;
    }
    const posts = [...state.network].sort((a, b) => String(b.published_at).localeCompare(String(a.published_at)));
    box.replaceChildren(...posts.map((p) => {
      const m = p.metrics || {};
      return h('article', { class: 'network-post' + (p.id === state.highlightPost ? ' focused' : ''), 'data-post-id': p.id },
        h('div', { class: 'network-post-head' },
          h('span', { class: 'avatar avatar-bot', 'aria-hidden': 'true' }, '🐱'),
          h('span', { class: 'message-author' }, 'La marque'),
          h('span', { class: 'network-handle' }, '@marque@sandbox'),
          h('time', { class: 'message-time' }, formatDateTime(p.published_at))),
        h('div', { class: 'network-post-text' }, p.text || ''),
        h('div', { class: 'network-metrics' }, METRICS.map(([k, label]) =>
          h('span', { class: 'metric', 'data-metric': k }, h('b', {}, m[k] === undefined || m[k] === null ? '—' : Number(m[k]).toLocaleString('fr-FR')), ' ', label))),
        p.url ? h('a', { class: 'network-link', href: p.url, target: '_blank', rel: 'noopener' }, p.url) : null);
    }));
    if (state.focusPost) {
      const el = box.querySelector(`[data-post-id="${CSS.escape(state.focusPost)}"]`);
      if (el) {
        el.scrollIntoView({ block: 'center' });
        state.focusPost = '';
      }
    }
  }

  let networkTimer = null;
  async function refreshNetwork() {
    try {
      const resp = await fetch('/pg/network', { cache: 'no-store' });
      if (resp.ok) {
        const data = await resp.json();
        state.network = Array.isArray(data) ? data : (data && data.posts) || [];
        renderNetwork();
      }
    } catch (e) { /* the next round will tell */ }
    clearTimeout(networkTimer);
    networkTimer = setTimeout(refreshNetwork, NETWORK_REFRESH_MS);
  }

  // ---- state and live events --------------------------------------------------------

  function upsertMessage(m, live) {
    if (!m || !m.channel || !m.ts) return;
    const isNew = !state.messages.has(key(m));
    state.messages.set(key(m), m);
    if (live && isNew && m.channel !== state.channel && isRoot(m) && visible(m)) state.unread.add(m.channel);
  }

  function upsertView(v) {
    if (!v || !v.id) return;
    state.views.set(v.id, v);
    state.viewRevs.set(v.id, (state.viewRevs.get(v.id) || 0) + 1);
  }

  function applyState(s) {
    state.users = s.users || [];
    state.channels = s.channels || [];
    state.messages.clear();
    for (const m of s.messages || []) upsertMessage(m, false);
    state.views.clear();
    for (const v of s.views || []) upsertView(v);
    state.homes.clear();
    for (const v of s.homes || []) if (v && v.user) state.homes.set(v.user, v);
    let saved = {};
    try { saved = { user: localStorage.getItem('pg.user'), channel: localStorage.getItem('pg.channel') }; } catch (e) { /* private mode */ }
    const params = new URLSearchParams(location.search);
    const want = (list, ...ids) => ids.find((id) => id && list.some((x) => x.id === id));
    const people = state.users.filter((u) => u.id !== BOT_ID);
    state.user = want(people, state.user, params.get('user'), saved.user) || (people[0] && people[0].id) || '';
    const mine = state.channels.filter((c) => !c.user || c.user === state.user);
    state.channel = want(mine, state.channel, params.get('channel'), saved.channel) || (mine[0] && mine[0].id) || '';
    drawn.channel.clear();
    drawn.thread.clear();
    $('#messages').replaceChildren();
    $('#thread-messages').replaceChildren();
    // An open modal is kept as drawn when it did not change (a reconnection
    // reloads the state): what the person typed in it stays.
  }

  function applyEvent(ev) {
    switch (ev.type) {
      case 'message':
        upsertMessage(ev.message, true);
        renderChrome();
        renderMessages();
        renderThread();
        break;
      case 'view':
        upsertView(ev.view);
        renderModal();
        break;
      case 'home':
        if (ev.view && ev.view.user) state.homes.set(ev.view.user, ev.view);
        renderHome();
        break;
      case 'channel':
        if (ev.channel && !state.channels.some((c) => c.id === ev.channel.id)) state.channels.push(ev.channel);
        renderChrome();
        break;
      case 'message_deleted':
        state.messages.delete(ev.channel + ' ' + ev.ts);
        renderMessages();
        renderThread();
        break;
      case 'view_closed':
        state.views.delete(ev.id);
        state.viewRevs.set(ev.id, (state.viewRevs.get(ev.id) || 0) + 1);
        renderModal();
        break;
      case 'error':
        showError(ev.text || JSON.stringify(ev), 'bot', ev.text);
        break;
      default:
        break;
    }
  }

  function setConnection(s) {
    const el = $('#connection');
    el.dataset.state = s;
    el.textContent = { connecting: 'connexion…', open: '● en ligne', closed: '● hors ligne — reconnexion…' }[s];
  }

  let buffering = null; // events received while the state loads

  async function loadState() {
    buffering = [];
    try {
      const resp = await fetch('/pg/state', { cache: 'no-store' });
      if (!resp.ok) throw new Error(`${resp.status} ${await resp.text()}`);
      applyState(await resp.json());
    } catch (err) {
      showError(`impossible de lire /pg/state (${err.message})`);
      buffering = null;
      return;
    }
    const pending = buffering;
    buffering = null;
    for (const ev of pending) applyEvent(ev);
    state.ready = true;
    renderAll();
    $('#messages').scrollTop = $('#messages').scrollHeight;
    $('#app').dataset.ready = 'true';
  }

  function connect() {
    setConnection('connecting');
    const es = new EventSource('/pg/events');
    es.onopen = () => {
      setConnection('open');
      loadState(); // after every (re)connection: catch up on what was missed
    };
    es.onerror = () => setConnection(es.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
    es.onmessage = (msg) => {
      let ev;
      try { ev = JSON.parse(msg.data); } catch (e) { return; }
      if (buffering) buffering.push(ev);
      else if (state.ready) applyEvent(ev);
    };
    // A stream closed for good (the server refused it): open a new one.
    const watch = setInterval(() => {
      if (es.readyState === EventSource.CLOSED) {
        clearInterval(watch);
        connect();
      }
    }, 5000);
  }

  // ---- start -------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $('#user-switcher').addEventListener('change', (ev) => selectUser(ev.target.value));
    $('#network-tab').addEventListener('click', () => {
      state.tab = 'network';
      renderAll();
      refreshNetwork();
    });
    $('#home-tab').addEventListener('click', openHome);
    // The sandbox's links (/pg/network/posts/<id>) lead to #network/<id>.
    const followHash = () => {
      const m = /^#network(?:\/(.+))?$/.exec(location.hash);
      if (!m) return;
      state.tab = 'network';
      state.focusPost = m[1] ? decodeURIComponent(m[1]) : '';
      state.highlightPost = state.focusPost;
      if (state.ready) renderAll();
      refreshNetwork();
    };
    window.addEventListener('hashchange', followHash);
    followHash();
    $('#thread-close').addEventListener('click', () => {
      state.thread = null;
      renderThread();
    });
    document.addEventListener('click', (ev) => {
      const link = ev.target.closest('[data-channel-link]');
      if (link) {
        ev.preventDefault();
        selectChannel(link.dataset.channelLink);
      }
    });
    keepAtEnd($('#messages'), 'messages');
    keepAtEnd($('#thread-messages'), 'thread');
    setupComposer($('#composer-form'), $('#composer'), () => '');
    setupComposer($('#thread-composer-form'), $('#thread-composer'), () => (state.thread ? state.thread.ts : ''));
    connect();
    refreshNetwork();
  });

  // For the browser test and for curious people in the console.
  window.catweetePlayground = { state, mrkdwn };
})();
