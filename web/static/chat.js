// Demo chat on the unmodified phoenix client: presence list, messages, private messages,
// demo sign-in, and LongPoll fallback when WebSocket is blocked.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const socketPath = document.body.dataset.socketPath;
  // A nickname lets an anonymous visitor recognise themselves in the presence list.
  const nick = 'guest-' + Math.random().toString(36).slice(2, 6);

  const state = {
    socket: null,
    channel: null,
    token: null,
    user: null, // the signed-in demo user, or null
    target: null, // {clientId, name} of the private message recipient
    members: new Map(), // client_id -> display name, from presence
  };

  function showError(text) {
    const li = document.createElement('li');
    li.textContent = text;
    const list = $('errors');
    list.prepend(li);
    while (list.children.length > 5) list.lastChild.remove();
    setTimeout(() => li.remove(), 15000);
  }

  function setStatus(connState) {
    const el = $('status');
    const transport = state.socket && state.socket.transport === Phoenix.LongPoll ? 'longpoll' : 'websocket';
    el.dataset.state = connState;
    el.dataset.transport = connState === 'connected' ? transport : '';
    el.textContent = connState === 'connected' ? `connected (${transport})` : connState;
  }

  function myName() { return state.user ? state.user.name : nick; }

  function metaName(meta) {
    return meta.name || meta.user_id || meta.nick || ('guest ' + String(meta.client_id || '').slice(0, 8));
  }

  function senderName(payload) {
    const s = payload.sender || {};
    if (s.authenticated) return (state.members.get(s.client_id) || s.user_id) + ' ✓';
    return (state.members.get(s.client_id) || payload.user || 'guest') + ' (guest)';
  }

  function addItem(kind, who, text) {
    const li = document.createElement('li');
    li.className = kind;
    li.dataset.kind = kind;
    const strong = document.createElement('strong');
    strong.textContent = who + ': ';
    li.append(strong, document.createTextNode(text));
    const list = $('messages');
    list.append(li);
    while (list.children.length > 200) list.firstChild.remove();
    list.scrollTop = list.scrollHeight;
  }

  function messageText(payload) {
    if (payload && typeof payload === 'object') return typeof payload.text === 'string' ? payload.text : JSON.stringify(payload);
    return String(payload);
  }

  function onMessage(payload) {
    const priv = payload && payload.target_client_id;
    addItem(priv ? 'private' : 'message', (priv ? '(private) ' : '') + senderName(payload || {}), messageText(payload));
  }

  function renderPresence(presence) {
    const list = $('presence');
    list.textContent = '';
    state.members.clear();
    const entries = presence.list((key, { metas }) => ({ key, metas }));
    for (const { key, metas } of entries) {
      const meta = metas[0] || {};
      const name = metaName(meta);
      for (const m of metas) state.members.set(m.client_id, metaName(m));
      const self = metas.some((m) => m.nick === nick) || (state.user && meta.user_id === state.user.id);
      const li = document.createElement('li');
      li.dataset.key = key;
      li.dataset.clientId = meta.client_id || '';
      li.textContent = name + (metas.length > 1 ? ` ×${metas.length}` : '') + (self ? ' (you)' : '');
      if (self) li.className = 'self';
      else li.addEventListener('click', () => setTarget(meta.client_id, name));
      list.append(li);
    }
    $('presence-count').textContent = String(entries.length);
  }

  function setTarget(clientId, name) {
    state.target = clientId ? { clientId, name } : null;
    $('target').hidden = !state.target;
    $('target-name').textContent = name || '';
    $('message-input').focus();
  }

  function join(topic) {
    if (state.channel) state.channel.leave();
    $('messages').textContent = '';
    $('presence').textContent = '';
    $('presence-count').textContent = '0';
    $('topic-title').textContent = topic;
    setTarget(null);
    const channel = state.socket.channel(topic, () => ({ history: true, presence_meta: { nick } }));
    state.channel = channel;
    const presence = new Phoenix.Presence(channel);
    presence.onSync(() => renderPresence(presence));
    channel.on('message', onMessage);
    // Server broadcasts (e.g. notifications/all) arrive under their own event name.
    const deliver = channel.onMessage;
    channel.onMessage = (event, payload, ref) => {
      if (!/^(phx_|chan_reply_|presence_)/.test(event) && event !== 'message') {
        addItem('notice', `[${event}]`, messageText(payload));
      }
      return deliver.call(channel, event, payload, ref);
    };
    channel.join()
      .receive('ok', (reply) => {
        for (const item of (reply && reply.history) || []) onMessage(item.payload);
      })
      .receive('error', (reply) => {
        showError(`Cannot join ${topic}: ${(reply && reply.reason) || 'refused'}`);
        channel.leave(); // no automatic rejoin of a refused channel
      })
      .receive('timeout', () => showError(`Joining ${topic} timed out`));
    channel.onClose(() => { if (state.channel === channel) addItem('notice', '[closed]', `left ${topic}`); });
  }

  function connect() {
    if (state.socket) state.socket.disconnect();
    const opts = { longPollFallbackMs: 2500 };
    if (state.token) opts.authToken = state.token;
    const socket = new Phoenix.Socket(socketPath, opts);
    state.socket = socket;
    socket.onOpen(() => { if (state.socket === socket) setStatus('connected'); });
    socket.onClose(() => { if (state.socket === socket) setStatus('disconnected'); });
    socket.onError(() => { if (state.socket === socket) setStatus('reconnecting'); });
    setStatus('connecting');
    socket.connect();
    join($('channel').value);
  }

  async function signIn(userId) {
    if (!userId) {
      state.token = null;
      state.user = null;
      connect();
      return;
    }
    try {
      const res = await fetch('/demo/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: userId }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(body.error || `HTTP ${res.status}`);
      state.token = body.token;
      state.user = body.user;
      connect();
    } catch (err) {
      showError(`Sign-in failed: ${err.message}`);
    }
  }

  function send(event) {
    event.preventDefault();
    const input = $('message-input');
    const text = input.value.trim();
    if (!text || !state.channel) return;
    const payload = { text, user: myName(), timestamp: new Date().toISOString() };
    const target = state.target;
    if (target) payload.target_client_id = target.clientId;
    state.channel.push('message', payload)
      .receive('ok', () => {
        // A private message is not echoed to its sender; show it locally.
        if (target) addItem('private', `(private) to ${target.name}`, text);
      })
      .receive('error', (reply) => showError(`Message refused: ${(reply && reply.reason) || 'error'}`))
      .receive('timeout', () => showError('Sending timed out'));
    input.value = '';
  }

  $('composer').addEventListener('submit', send);
  $('target-clear').addEventListener('click', () => setTarget(null));
  $('channel').addEventListener('change', (e) => join(e.target.value));
  $('user').addEventListener('change', (e) => signIn(e.target.value));
  const params = new URLSearchParams(location.search);
  if (params.get('channel')) {
    $('channel').value = params.get('channel');
    if (!$('channel').value) $('channel').selectedIndex = 0; // not a demo channel
  }
  if (params.get('user')) {
    $('user').value = params.get('user');
    signIn(params.get('user'));
  } else {
    connect();
  }
})();
