// The live page (docs/api.md#the-live-page): hot, new and graduating feeds from the read API (relative URLs: the
// replica that served the page), live prices from the WebSocket on the same host (docs/api.md#live-push), a token
// view with its price chart and latest trades. Any replica serves both, so the page works behind any of them.
'use strict';

const params = new URLSearchParams(location.search);
const wsUrl = params.get('ws')
  || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.hostname}:${params.get('wsPort') || '8081'}/ws/live`;
const FEEDS = ['hot', 'new', 'graduating'];
const FEED_LIMIT = 20;
const POLL_MS = 5000;
const MAX_POINTS = 300;
/** bonding curve: progress in % from the virtual token reserves (TokenPricing.bondingProgress) */
const COMPLETE_VIRTUAL_TOKENS = 279.9e6, SELLABLE_TOKENS = 793.1e6;

const models = new Map();          // mint -> {token, points: [{t, p (SOL)}], seq, lastTickAt, tradesLoaded}
const feeds = {hot: [], new: [], graduating: []};
const status = document.getElementById('status');
const live = window.liveStats = {ticks: 0, connected: false};
let ws = null;
let openMint = null;
let openTrades = [];

// ---- model ----

function model(mint) {
  let m = models.get(mint);
  if (!m) {
    m = {token: null, points: [], seq: 0, lastTickAt: 0, tradesLoaded: false};
    models.set(mint, m);
  }
  return m;
}

const PRICE_FIELDS = ['priceSol', 'priceUsd', 'marketCapSol', 'marketCapUsd', 'bondingProgress'];

/** A token from the API; its prices only when they are not older than the last tick we applied. */
function mergeToken(t) {
  const m = model(t.mint);
  const lastTrade = t.lastTradeAt ? Date.parse(t.lastTradeAt) : 0;
  const merged = {...t};
  if (m.token && m.lastTickAt > lastTrade) {
    for (const f of PRICE_FIELDS) merged[f] = m.token[f];
  }
  m.token = merged;
  return m;
}

function usdPerSol(t) {
  return t && t.priceSol > 0 && t.priceUsd > 0 ? t.priceUsd / t.priceSol : null;
}

function applyTick(tick) {
  live.ticks++;
  const m = models.get(tick.mint);
  if (!m || !m.token || tick.seq <= m.seq) return;
  const t = m.token;
  const supply = t.priceUsd > 0 && t.marketCapUsd > 0 ? t.marketCapUsd / t.priceUsd : null;
  t.priceSol = tick.priceSol;
  t.priceUsd = tick.priceUsd;
  if (supply) {
    t.marketCapUsd = supply * tick.priceUsd;
    t.marketCapSol = supply * tick.priceSol;
  }
  if (tick.vTokens > 0 && t.state !== 'MIGRATED' && t.bondingProgress < 100) {
    t.bondingProgress = Math.max(0, Math.min(100, (1 - (tick.vTokens - COMPLETE_VIRTUAL_TOKENS) / SELLABLE_TOKENS) * 100));
  }
  t.lastTradeAt = new Date(tick.receivedAt).toISOString();
  m.seq = tick.seq;
  m.lastTickAt = tick.receivedAt;
  m.points.push({t: tick.receivedAt, p: tick.priceSol});
  if (m.points.length > MAX_POINTS) m.points.splice(0, m.points.length - MAX_POINTS);
  document.querySelectorAll(`tr[data-mint="${CSS.escape(tick.mint)}"]`).forEach((tr) => {
    fillRow(tr, m);
    tr.classList.add('flash');
    setTimeout(() => tr.classList.remove('flash'), 300);
  });
  if (tick.mint === openMint) {
    renderTokenView();
    refreshOpenTradesSoon();
  }
}

/** Recent trades (newest first, from the API) as chart points (oldest first), plus any newer ticks we had. */
function setTrades(m, trades) {
  const points = trades.filter((x) => x.priceSol > 0).map((x) => ({t: x.receivedAt, p: x.priceSol})).reverse();
  const newest = points.length ? points[points.length - 1].t : 0;
  m.points = points.concat(m.points.filter((q) => q.t > newest)).slice(-MAX_POINTS);
  m.tradesLoaded = true;
}

// ---- HTTP (relative: the replica that served the page) ----

async function getJson(path) {
  const response = await fetch(path, {headers: {Accept: 'application/json'}});
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

const tradeQueue = [];
let tradeFetches = 0;

/** Recent trades of rows we show, three requests at a time, once per token (ticks keep them current). */
function loadTradesLater(mint) {
  const m = models.get(mint);
  if (!m || m.tradesLoaded || m.tradesQueued) return;
  m.tradesQueued = true;
  tradeQueue.push(mint);
  pumpTradeQueue();
}

function pumpTradeQueue() {
  while (tradeFetches < 3 && tradeQueue.length) {
    const mint = tradeQueue.shift();
    tradeFetches++;
    getJson(`api/tokens/${encodeURIComponent(mint)}/trades?limit=50`)
      .then((trades) => {
        const m = models.get(mint);
        if (!m) return;
        setTrades(m, trades);
        document.querySelectorAll(`tr[data-mint="${CSS.escape(mint)}"]`).forEach((tr) => fillRow(tr, m));
      })
      .catch(() => { const m = models.get(mint); if (m) m.tradesQueued = false; })
      .finally(() => { tradeFetches--; pumpTradeQueue(); });
  }
}

// ---- feeds ----

function cell(cls) { const td = document.createElement('td'); if (cls) td.className = cls; return td; }

function header(tbody) {
  const thead = tbody.parentElement.querySelector('thead');
  if (thead.childElementCount) return;
  thead.innerHTML = '<tr><th>Token</th><th class="num">Price</th><th class="num">5m</th><th class="num">MCap</th>'
    + '<th class="num">Age</th><th>Curve</th><th>Chart</th></tr>';
}

function newRow(m) {
  const tr = document.createElement('tr');
  tr.dataset.mint = m.token.mint;
  const tok = cell('tok');
  tok.append(document.createElement('b'), document.createElement('small'));
  const price = cell('num price');
  const usd = document.createElement('span'); usd.className = 'price-usd';
  const sol = document.createElement('span'); sol.className = 'sub';
  const solValue = document.createElement('span'); solValue.className = 'price-sol';
  sol.append(solValue, ' SOL');
  price.append(usd, sol);
  const progress = cell('curve');
  progress.innerHTML = '<span class="bar"><i></i></span><span class="pct"></span>';
  tr.append(tok, price, cell('num change'), cell('num mcap'), cell('num age'), progress, cell('sparkline'));
  fillRow(tr, m);
  return tr;
}

function fillRow(tr, m, now = Date.now()) {
  const t = m.token;
  tr.dataset.priceSol = t.priceSol ?? '';
  tr.dataset.seq = m.seq;
  const tok = tr.querySelector('.tok');
  tok.firstChild.textContent = t.symbol || '?';
  tok.lastChild.textContent = t.name || '';
  tok.title = t.mint;
  tr.querySelector('.price-usd').textContent = '$' + fmtPrice(t.priceUsd);
  tr.querySelector('.price-sol').textContent = fmtPrice(t.priceSol);
  const change = tr.querySelector('.change');
  const pct = change5m(m.points, t.priceSol, now);
  change.textContent = fmtChange(pct);
  change.className = 'num change' + (pct > 0 ? ' up' : pct < 0 ? ' down' : '');
  tr.querySelector('.mcap').textContent = fmtUsd(t.marketCapUsd);
  tr.querySelector('.age').textContent = fmtAge(t.firstSeenAt, now);
  const progress = Number(t.bondingProgress) || 0;
  tr.querySelector('.bar i').style.width = Math.max(0, Math.min(100, progress)) + '%';
  tr.querySelector('.pct').textContent = Math.floor(progress) + '%';
  tr.querySelector('.sparkline').replaceChildren(sparkline(m.points.slice(-60).map((q) => q.p), 64, 22));
}

function renderFeed(name, tokens) {
  feeds[name] = tokens.map((t) => mergeToken(t).token.mint);
  const tbody = document.getElementById(name);
  header(tbody);
  tbody.replaceChildren(...feeds[name].map((mint) => newRow(models.get(mint))));
  feeds[name].forEach(loadTradesLater);
  forgetUnshown();
}

function forgetUnshown() {
  const shown = new Set([...feeds.hot, ...feeds.new, ...feeds.graduating]);
  if (openMint) shown.add(openMint);
  for (const mint of models.keys()) if (!shown.has(mint)) models.delete(mint);
}

/** The three feeds at once (the hot one arrives over the WebSocket while it is open). */
function pollFeeds() {
  return Promise.all(FEEDS.filter((name) => !(name === 'hot' && live.connected && feeds.hot.length))
    .map((name) => getJson(`api/tokens/${name}?limit=${FEED_LIMIT}`)
      .then((tokens) => renderFeed(name, tokens))
      .catch((e) => { status.textContent = `${e.message}; retrying`; })));
}

/** Ages and 5-minute changes move with the clock. */
function refreshClocks() {
  const now = Date.now();
  document.querySelectorAll('#feeds tr[data-mint]').forEach((tr) => {
    const m = models.get(tr.dataset.mint);
    if (m && m.token) fillRow(tr, m, now);
  });
  if (openMint) renderTokenView();
}

// ---- token view ----

async function openToken(mint) {
  if (openMint && openMint !== mint) closeToken(false);
  openMint = mint;
  if (location.hash !== '#token=' + mint) history.replaceState(null, '', '#token=' + mint);
  const view = document.getElementById('token');
  view.hidden = false;
  view.dataset.mint = mint;
  send({subscribe: [mint]});
  const m = model(mint);
  if (m.token) renderTokenView();
  try {
    const [token, trades] = await Promise.all([getJson(`api/tokens/${encodeURIComponent(mint)}`),
                                               getJson(`api/tokens/${encodeURIComponent(mint)}/trades?limit=50`)]);
    if (openMint !== mint) return;
    mergeToken(token);
    setTrades(models.get(mint), trades);
    openTrades = trades;
    renderTokenView();
  } catch (e) {
    document.getElementById('token-name').textContent = e.message;
  }
}

function closeToken(clearHash = true) {
  if (!openMint) return;
  send({unsubscribe: [openMint]});
  openMint = null;
  openTrades = [];
  document.getElementById('token').hidden = true;
  if (clearHash) history.replaceState(null, '', location.pathname + location.search);
  forgetUnshown();
}

let tradesTimer = null;

/** The latest trades again after a tick, at most once a second. */
function refreshOpenTradesSoon() {
  if (tradesTimer) return;
  tradesTimer = setTimeout(async () => {
    tradesTimer = null;
    const mint = openMint;
    if (!mint) return;
    try {
      const trades = await getJson(`api/tokens/${encodeURIComponent(mint)}/trades?limit=50`);
      if (openMint !== mint) return;
      openTrades = trades;
      setTrades(models.get(mint), trades);
      renderTokenView();
    } catch (ignored) { /* the next tick tries again */ }
  }, 1000);
}

function renderTokenView() {
  const m = models.get(openMint);
  if (!m || !m.token) return;
  const t = m.token, now = Date.now();
  const view = document.getElementById('token');
  view.dataset.seq = m.seq;
  view.dataset.priceSol = t.priceSol ?? '';
  const set = (id, text) => { document.getElementById(id).textContent = text; };
  set('token-symbol', t.symbol || '?');
  set('token-name', t.name || '');
  set('token-mint', t.mint);
  set('token-price-usd', '$' + fmtPrice(t.priceUsd));
  set('token-price-sol', fmtPrice(t.priceSol));
  set('token-mcap', fmtUsd(t.marketCapUsd));
  const pct = change5m(m.points, t.priceSol, now);
  set('token-change', fmtChange(pct));
  document.getElementById('token-change').className = pct > 0 ? 'up' : pct < 0 ? 'down' : '';
  set('token-age', fmtAge(t.firstSeenAt, now));
  set('token-progress', (Number(t.bondingProgress) || 0).toFixed(1) + '%' + (t.state === 'MIGRATED' ? ' (graduated)' : ''));
  set('token-trade-count', `${t.tradeCount ?? 0} (${t.buyCount ?? 0} buys, ${t.sellCount ?? 0} sells)`);
  const rate = usdPerSol(t) || 0;
  document.getElementById('token-chart').replaceChildren(priceChart(m.points.map((q) => ({t: q.t, p: q.p * rate}))));
  const rows = openTrades.map((x) => {
    const tr = document.createElement('tr');
    tr.dataset.signature = x.signature;
    const trader = x.trader ? x.trader.slice(0, 4) + '…' + x.trader.slice(-4) : '';
    [fmtAge(x.receivedAt, now), x.side, x.solAmount === undefined ? '–' : Number(x.solAmount).toFixed(3),
     fmtPrice(x.priceSol), trader].forEach((text, i) => {
      const td = cell(i === 1 ? x.side : i === 2 || i === 3 ? 'num' : '');
      td.textContent = text;
      tr.append(td);
    });
    return tr;
  });
  document.getElementById('token-trades').replaceChildren(...rows);
}

// ---- WebSocket ----

function send(message) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

function connect() {
  ws = new WebSocket(wsUrl);
  ws.onopen = () => {
    live.connected = true;
    status.textContent = `connected to ${wsUrl}`;
    send(openMint ? {feed: 'hot', subscribe: [openMint]} : {feed: 'hot'});
  };
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.type === 'hot') renderFeed('hot', m.tokens);
    else if (m.type === 'tick') applyTick(m);
    else if (m.type === 'subscribed') live.hot = m.hot;
    status.textContent = `connected to ${wsUrl}, ${live.ticks} ticks`;
  };
  ws.onclose = () => {
    live.connected = false;
    live.hot = false;
    status.textContent = 'disconnected, retrying...';
    setTimeout(connect, 2000);
  };
}

// ---- wiring ----

document.getElementById('feeds').addEventListener('click', (e) => {
  const tr = e.target.closest('tr[data-mint]');
  if (tr) openToken(tr.dataset.mint);
});
document.getElementById('token-close').addEventListener('click', () => closeToken());
document.addEventListener('keydown', (e) => { if (e.key === 'Escape') closeToken(); });
document.getElementById('tabs').addEventListener('click', (e) => {
  const tab = e.target.dataset.tab;
  if (!tab) return;
  document.querySelectorAll('#tabs button').forEach((b) => b.classList.toggle('on', b.dataset.tab === tab));
  document.querySelectorAll('.feed').forEach((s) => s.classList.toggle('on', s.dataset.feed === tab));
});
window.addEventListener('hashchange', () => {
  const mint = location.hash.startsWith('#token=') ? location.hash.slice(7) : null;
  if (mint && mint !== openMint) openToken(mint); else if (!mint) closeToken(false);
});

connect();
pollFeeds();
setInterval(pollFeeds, POLL_MS);
setInterval(refreshClocks, 5000);
if (location.hash.startsWith('#token=')) openToken(location.hash.slice(7));
