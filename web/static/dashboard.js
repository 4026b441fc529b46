// Live dashboard: joins the server's phxserver:dashboard channel and renders its "stats"
// events. In a cluster every node broadcasts its own stats; the page sums the live nodes.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const { LineChart, formatNumber } = window.PhxCharts;
  const body = document.body;
  const apiKey = new URLSearchParams(location.search).get('key') || '';
  const NODE_TTL_MS = 5000;
  const latest = new Map(); // node id -> {snap, seen}

  const charts = {
    connections: new LineChart($('chart-connections'), [{ label: 'connections', color: '#2563eb' }]),
    messages: new LineChart($('chart-messages'), [
      { label: 'in', color: '#16a34a' },
      { label: 'deliveries', color: '#f97316' },
    ]),
    problems: new LineChart($('chart-problems'), [
      { label: 'join refusals', color: '#dc2626' },
      { label: 'slow consumers', color: '#7c3aed' },
      { label: 'trigger denials', color: '#ca8a04' },
    ]),
  };

  function showError(text) {
    const li = document.createElement('li');
    li.textContent = text;
    $('errors').replaceChildren(li);
  }

  function setStatus(s) {
    $('status').dataset.state = s;
    $('status').textContent = s;
  }

  function ingest(snap) {
    if (!snap || typeof snap.node !== 'string') return;
    latest.set(snap.node, { snap, seen: Date.now() });
    renderNumbers(aggregate());
  }

  function aggregate() {
    const now = Date.now();
    const total = {
      connections: 0, channels: 0, members: 0, nodes: 0,
      rates: { messages_in: 0, deliveries: 0, join_refusals: 0, slow_disconnects: 0, trigger_denials: 0 },
      totals: { join_refusals: 0, slow_disconnects: 0, trigger_denials: 0 },
      transports: new Map(), channelMembers: new Map(),
    };
    for (const [node, { snap, seen }] of latest) {
      if (now - seen > NODE_TTL_MS) { latest.delete(node); continue; }
      total.nodes++;
      total.connections += snap.connections || 0;
      total.members += snap.members || 0;
      for (const k of Object.keys(total.rates)) total.rates[k] += (snap.rates && snap.rates[k]) || 0;
      for (const k of Object.keys(total.totals)) total.totals[k] += (snap.totals && snap.totals[k]) || 0;
      for (const t of snap.transports || []) {
        const key = t.transport + ' ' + t.dialect;
        total.transports.set(key, { ...t, count: ((total.transports.get(key) || {}).count || 0) + t.count });
      }
      for (const c of snap.top_channels || []) {
        total.channelMembers.set(c.topic, (total.channelMembers.get(c.topic) || 0) + c.members);
      }
    }
    total.channels = total.channelMembers.size;
    return total;
  }

  function renderNumbers(t) {
    $('connections').textContent = String(t.connections);
    $('channels').textContent = String(t.channels);
    $('members').textContent = String(t.members);
    $('rate-in').textContent = formatNumber(t.rates.messages_in);
    $('rate-out').textContent = formatNumber(t.rates.deliveries);
    $('refusals').textContent = String(t.totals.join_refusals);
    $('slow').textContent = String(t.totals.slow_disconnects);
    $('denials').textContent = String(t.totals.trigger_denials);
    $('nodes').textContent = t.nodes === 1 ? '1 node' : `${t.nodes} nodes`;
    fillTable($('transports'), [...t.transports.values()].map((x) => [x.transport, x.dialect, x.count]));
    const channels = [...t.channelMembers].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    fillTable($('top-channels'), channels.slice(0, 25));
  }

  function fillTable(tbody, rows) {
    tbody.replaceChildren(...rows.map((cells) => {
      const tr = document.createElement('tr');
      for (const c of cells) {
        const td = document.createElement('td');
        td.textContent = String(c);
        tr.append(td);
      }
      return tr;
    }));
  }

  function tick() {
    if (latest.size === 0) return;
    const t = aggregate();
    charts.connections.push([t.connections]);
    charts.messages.push([t.rates.messages_in, t.rates.deliveries]);
    charts.problems.push([t.rates.join_refusals, t.rates.slow_disconnects, t.rates.trigger_denials]);
  }

  const socket = new Phoenix.Socket(body.dataset.socketPath, { longPollFallbackMs: 2500 });
  socket.onOpen(() => setStatus('connected'));
  socket.onError(() => setStatus('reconnecting'));
  socket.onClose(() => setStatus('disconnected'));
  socket.connect();
  const channel = socket.channel(body.dataset.topic, () => ({ api_key: apiKey }));
  channel.on('stats', ingest);
  channel.join()
    .receive('ok', (snap) => { setStatus('live'); ingest(snap); })
    .receive('error', (reply) => {
      setStatus('refused');
      showError(`Dashboard refused: ${(reply && reply.reason) || 'error'}`);
      channel.leave();
    })
    .receive('timeout', () => showError('Joining the dashboard channel timed out'));
  setInterval(tick, 1000);
})();
