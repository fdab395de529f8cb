// Number and time formats of the live page, as token screeners show them (docs/api.md#the-live-page).
// Plain functions on window: the page uses them, LivePageBrowserTest checks them.
'use strict';

const SUBSCRIPT = '₀₁₂₃₄₅₆₇₈₉';

/**
 * A price with 4 significant digits. Under 0.001 the zeros after the decimal point are counted in a subscript, as
 * DEX screeners do, from 4 zeros on: 1.0249520376813863e-7 -> "0.0₆1025" (six zeros, then 1025),
 * 0.000015374280565220794 -> "0.0₄1537", 0.0001234 -> "0.0001234", 0.00123 -> "0.00123", 0.5 -> "0.5", 1234.5 -> "1,235". Trailing zeros of the 4 digits are dropped.
 */
function fmtPrice(v) {
  if (v === null || v === undefined || v === '' || !isFinite(Number(v))) return '–';
  v = Number(v);
  if (v === 0) return '0';
  const sign = v < 0 ? '-' : '';
  v = Math.abs(v);
  const [mantissa, e] = v.toExponential(3).split('e');
  const exp = Number(e);
  if (exp >= 0) {
    return sign + Number(mantissa + 'e' + exp).toLocaleString('en-US', {maximumFractionDigits: Math.max(0, 3 - exp)});
  }
  const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  const zeros = -exp - 1;
  if (zeros < 4) return sign + '0.' + '0'.repeat(zeros) + digits;
  const sub = String(zeros).split('').map((d) => SUBSCRIPT[d]).join('');
  return sign + '0.0' + sub + digits;
}

/** USD with K/M/B suffixes, 3 significant digits from a thousand up: 8420.87 -> "$8.42K", 1.5e6 -> "$1.5M". */
function fmtUsd(v) {
  if (v === null || v === undefined || v === '' || !isFinite(Number(v))) return '–';
  v = Number(Number(v).toPrecision(3));
  const a = Math.abs(v);
  const units = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  for (const [size, suffix] of units) {
    if (a >= size) return '$' + Number((v / size).toPrecision(3)).toString() + suffix;
  }
  return '$' + (a >= 1 ? Math.round(v).toString() : Number(v.toPrecision(2)).toString());
}

/** Age from an ISO time or epoch ms: "45s", "3m", "2h", "5d". */
function fmtAge(from, now = Date.now()) {
  if (from === null || from === undefined) return '–';
  const t = typeof from === 'number' ? from : Date.parse(from);
  if (!isFinite(t)) return '–';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm';
  if (s < 86400) return Math.floor(s / 3600) + 'h';
  return Math.floor(s / 86400) + 'd';
}

/** A change in percent with its sign: 12.345 -> "+12%", 3.21 -> "+3.2%", -0.04 -> "-0.04%", 0 -> "0%". */
function fmtChange(pct) {
  if (pct === null || pct === undefined || !isFinite(pct)) return '–';
  if (pct === 0) return '0%';
  const a = Math.abs(pct);
  const text = a >= 1000 ? Math.round(a).toLocaleString('en-US') : a >= 10 ? a.toFixed(0) : a >= 1 ? a.toFixed(1) : a.toFixed(2);
  return (pct > 0 ? '+' : '-') + text + '%';
}

/**
 * The 5-minute change of a token from its recent trades (oldest first, {t: epoch ms, p: price}) and its current
 * price: against the last trade at or before now - 5 min; when every known trade is newer (a token younger than
 * 5 minutes, or one so busy that the API's recent trades span less), against the oldest known one.
 */
function change5m(points, price, now = Date.now()) {
  if (!points.length || !(price > 0)) return null;
  const cutoff = now - 5 * 60 * 1000;
  let ref = points[0].p;
  for (const point of points) {
    if (point.t <= cutoff) ref = point.p; else break;
  }
  return ref > 0 ? (price / ref - 1) * 100 : null;
}

/** An inline SVG line of the prices (oldest first), green when the last is not below the first, else red. */
function sparkline(prices, width = 80, height = 24) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'spark');
  if (prices.length < 2) return svg;
  const min = Math.min(...prices), max = Math.max(...prices), span = max - min || 1;
  const pts = prices.map((p, i) => [(i / (prices.length - 1)) * (width - 2) + 1,
                                    height - 1 - ((p - min) / span) * (height - 2)]);
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', pts.map(([x, y]) => x.toFixed(1) + ',' + y.toFixed(1)).join(' '));
  line.setAttribute('class', prices[prices.length - 1] >= prices[0] ? 'up' : 'down');
  svg.append(line);
  return svg;
}

/** A price chart (SVG) of the points ({t, p} oldest first, p in USD): line and area, min/max and time labels. */
function priceChart(points, width = 640, height = 220) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'price-chart');
  svg.setAttribute('preserveAspectRatio', 'none');
  const text = (x, y, s, anchor = 'start') => {
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', x); t.setAttribute('y', y); t.setAttribute('text-anchor', anchor);
    t.textContent = s;
    svg.append(t);
  };
  if (points.length < 2) {
    text(width / 2, height / 2, points.length ? 'one trade so far' : 'no trades yet', 'middle');
    return svg;
  }
  const left = 4, right = width - 70, top = 10, bottom = height - 20;
  const t0 = points[0].t, t1 = points[points.length - 1].t, tSpan = t1 - t0 || 1;
  const ps = points.map((q) => q.p), min = Math.min(...ps), max = Math.max(...ps), span = max - min || max || 1;
  const xy = points.map((q) => [left + ((q.t - t0) / tSpan) * (right - left),
                                bottom - ((q.p - min) / span) * (bottom - top)]);
  const path = xy.map(([x, y], i) => (i ? 'L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1)).join(' ');
  const area = document.createElementNS(ns, 'path');
  area.setAttribute('d', path + ` L${xy[xy.length - 1][0].toFixed(1)} ${bottom} L${left} ${bottom} Z`);
  area.setAttribute('class', 'area');
  const line = document.createElementNS(ns, 'path');
  line.setAttribute('d', path);
  line.setAttribute('class', ps[ps.length - 1] >= ps[0] ? 'line up' : 'line down');
  svg.append(area, line);
  text(right + 4, top + 4, '$' + fmtPrice(max));
  text(right + 4, bottom, '$' + fmtPrice(min));
  const clock = (t) => new Date(t).toLocaleTimeString('en-GB', {hour12: false});
  text(left, height - 4, clock(t0));
  text(right, height - 4, clock(t1), 'end');
  return svg;
}
