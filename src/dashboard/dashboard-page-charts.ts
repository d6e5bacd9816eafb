/**
 * The page's chart code (browser JavaScript, inlined under the page's CSP nonce): axes with ticks that fit
 * their range, a stacked time series with a budget line, hover, keyboard and drag-to-zoom, and a scatter of
 * runs. Plain SVG, about 250 lines, no library: nothing to download, audit or keep in step with a CDN.
 */
export const DASHBOARD_CHARTS = String.raw`
const Charts = (() => {
  const MINUTE = 60000, HOUR = 3600000, DAY = 86400000;
  const SECOND = 1000;
  const TIME_STEPS = [SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];
  const esc = (value) => String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const attrs = (map) => Object.entries(map).map(([key, value]) => key + '="' + esc(value) + '"').join(' ');
  const swatch = (row) => '<svg class="swatch" width="11" height="11" aria-hidden="true"><rect class="s' + (row % 8) + '" width="11" height="11" rx="2"></rect></svg>';
  const el = (name, map, inner) => '<' + name + ' ' + attrs(map) + (inner === undefined ? '/>' : '>' + inner + '</' + name + '>');

  /** 1, 2, 2.5 or 5 times a power of ten: the step that cuts span into about count parts. */
  function niceStep(span, count) {
    const raw = span / count;
    const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / magnitude;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * magnitude;
  }
  function usdTicks(max, count) {
    const step = niceStep(max > 0 ? max : 1e-6, count || 4);
    const top = Math.ceil((max > 0 ? max : step) / step - 1e-9) * step;
    const decimals = Math.max(2, Math.min(9, -Math.floor(Math.log10(step)) + (step / Math.pow(10, Math.floor(Math.log10(step))) === 2.5 ? 1 : 0)));
    const ticks = [];
    for (let index = 0; index * step <= top + step / 2; index += 1) { const value = Number((index * step).toPrecision(12)); ticks.push({ value, label: '$' + value.toFixed(decimals) }); }
    return { top, ticks };
  }
  /** Local-time ticks (the browser's time zone): the first step giving at most max ticks, on its boundaries. */
  function timeTicks(from, to, max) {
    const span = Math.max(1, to - from);
    let index = TIME_STEPS.findIndex((candidate) => span / candidate <= max);
    if (index < 0) index = TIME_STEPS.length - 1;
    let step = TIME_STEPS[index], ticks = ticksEvery(from, to, step);
    // A span just over one step can hold a single boundary: a finer step gives the axis two labels at least.
    while (ticks.length < 2 && index > 0) { index -= 1; step = TIME_STEPS[index]; ticks = ticksEvery(from, to, step); }
    return labelled(ticks, step, from, to, span);
  }
  function ticksEvery(from, to, step) {
    const ticks = [];
    if (step >= 30 * DAY) {
      const date = new Date(from); date.setHours(0, 0, 0, 0); date.setDate(1);
      const months = step >= 365 * DAY ? 12 : step >= 91 * DAY ? 3 : 1;
      while (date.getTime() < from) date.setMonth(date.getMonth() + months);
      for (; date.getTime() <= to; date.setMonth(date.getMonth() + months)) ticks.push(date.getTime());
    } else if (step >= DAY) {
      const date = new Date(from); date.setHours(0, 0, 0, 0);
      while (date.getTime() < from) date.setDate(date.getDate() + 1);
      const days = step / DAY;
      for (let index = 0; date.getTime() <= to; index += 1, date.setDate(date.getDate() + 1)) if (index % days === 0) ticks.push(date.getTime());
    } else {
      const offset = -new Date(from).getTimezoneOffset() * MINUTE;
      for (let t = Math.ceil((from + offset) / step) * step - offset; t <= to; t += step) ticks.push(t);
    }
    return ticks;
  }
  function labelled(ticks, step, from, to, span) {
    const multiDay = span > DAY || new Date(from).toDateString() !== new Date(to).toDateString();
    return ticks.map((t, index) => {
      const date = new Date(t);
      const day = date.toLocaleDateString([], step >= 30 * DAY ? { month: 'short', year: 'numeric' } : { month: 'short', day: 'numeric' });
      const time = date.toLocaleTimeString([], step < MINUTE ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' });
      const midnight = date.getHours() === 0 && date.getMinutes() === 0;
      const label = step >= DAY ? day : multiDay && (index === 0 || midnight) ? day + ' ' + time : time;
      return { t, label };
    });
  }
  const formatTime = (t, span) => new Date(t).toLocaleString([], span >= DAY ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' } : { hour: '2-digit', minute: '2-digit', second: span < HOUR ? '2-digit' : undefined });

  /** The frame every chart shares: plot box, scales, axes with tick labels (data-* carry the raw values). */
  function frame(width, height, from, to, yTicks) {
    const box = { left: 64, right: width - 14, top: 12, bottom: height - 28 };
    const x = (t) => box.left + ((t - from) / Math.max(1, to - from)) * (box.right - box.left);
    const y = (usd) => box.bottom - (usd / yTicks.top) * (box.bottom - box.top);
    const xTicks = timeTicks(from, to, Math.max(2, Math.floor((box.right - box.left) / 90)));
    let out = '<g class="grid">' + yTicks.ticks.map((tick) => el('line', { x1: box.left, x2: box.right, y1: y(tick.value), y2: y(tick.value) })).join('') + '</g>';
    out += '<g class="axis y-axis">' + el('path', { d: 'M' + box.left + ',' + box.top + 'V' + box.bottom, fill: 'none' }) +
      yTicks.ticks.map((tick) => el('text', { x: box.left - 6, y: y(tick.value) + 4, 'text-anchor': 'end', 'data-usd': tick.value }, esc(tick.label))).join('') + '</g>';
    out += '<g class="axis x-axis">' + el('path', { d: 'M' + box.left + ',' + box.bottom + 'H' + box.right, fill: 'none' }) +
      xTicks.map((tick) => el('line', { x1: x(tick.t), x2: x(tick.t), y1: box.bottom, y2: box.bottom + 4 }) +
        el('text', { x: x(tick.t), y: box.bottom + 17, 'text-anchor': 'middle', 'data-t': tick.t }, esc(tick.label))).join('') + '</g>';
    return { box, x, y, out };
  }

  /** Drag across the plot to zoom to that span; a click zooms to the bucket under the pointer. */
  function zoomable(svg, view, onZoom, bucketAt) {
    const toT = (clientX) => {
      const rect = svg.getBoundingClientRect();
      const px = ((clientX - rect.left) / rect.width) * view.width;
      const share = Math.min(1, Math.max(0, (px - view.box.left) / (view.box.right - view.box.left)));
      return { px: view.box.left + share * (view.box.right - view.box.left), t: view.from + share * (view.to - view.from) };
    };
    svg.onpointerdown = (event) => { if (event.button !== 0) return; svg.zoomStart = toT(event.clientX); svg.setPointerCapture(event.pointerId); };
    svg.onpointermove = (event) => {
      const start = svg.zoomStart;
      if (!start) return;
      const now = toT(event.clientX);
      let selection = svg.querySelector('rect.selection');
      if (!selection) { svg.insertAdjacentHTML('beforeend', el('rect', { class: 'selection', y: view.box.top, height: view.box.bottom - view.box.top })); selection = svg.querySelector('rect.selection'); }
      selection.setAttribute('x', Math.min(start.px, now.px)); selection.setAttribute('width', Math.abs(now.px - start.px));
    };
    svg.onpointerup = (event) => {
      const first = svg.zoomStart;
      if (!first) return;
      svg.zoomStart = null;
      const end = toT(event.clientX);
      if (Math.abs(end.px - first.px) > 6) onZoom(Math.round(Math.min(first.t, end.t)), Math.round(Math.max(first.t, end.t)));
      else { const bucket = bucketAt(first.t); if (bucket) onZoom(bucket.from, bucket.to); }
    };
  }

  /**
   * Spend over time: stacked columns per bucket, one series per name, per interval or cumulative; the
   * budget as a line when it is within reach of the data (else a note saying how far it is).
   */
  function spend(svg, data, options) {
    const width = svg.clientWidth || 800, height = 260;
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height); svg.setAttribute('height', height);
    const cumulative = options.mode === 'cumulative';
    const n = data.starts.length;
    const values = data.series.map((series) => { let sum = 0; return series.usd.map((usd) => (cumulative ? (sum += usd) : usd)); });
    const stacks = new Array(n).fill(0).map((_, index) => values.reduce((sum, row) => sum + row[index], 0));
    const peak = Math.max(0, ...stacks);
    const budget = data.budget && cumulative ? data.budget.usd : null;
    const budgetShown = budget !== null && budget <= Math.max(peak, 1e-9) * 20;
    const yTicks = usdTicks(Math.max(peak, budgetShown ? budget : 0, 1e-9), 4);
    const f = frame(width, height, data.from, data.to, yTicks);
    const view = { width, box: f.box, from: data.from, to: data.to };
    let out = f.out;
    const column = (index) => ({ x0: f.x(Math.max(data.from, data.starts[index])), x1: f.x(Math.min(data.to, data.starts[index] + data.bucketMs)) });
    data.series.forEach((series, row) => {
      out += '<g class="series s' + (row % 8) + '" data-series="' + esc(series.name) + '">';
      for (let index = 0; index < n; index += 1) {
        const value = values[row][index];
        if (value <= 0) continue;
        const below = values.slice(0, row).reduce((sum, other) => sum + other[index], 0);
        const c = column(index);
        out += el('rect', { x: c.x0 + 0.5, width: Math.max(1, c.x1 - c.x0 - 1), y: f.y(below + value), height: Math.max(0.5, f.y(below) - f.y(below + value)), 'data-usd': value });
      }
      out += '</g>';
    });
    if (budgetShown) out += el('line', { class: 'budget', x1: f.box.left, x2: f.box.right, y1: f.y(budget), y2: f.y(budget), 'data-usd': budget }) +
      el('text', { class: 'budget', x: f.box.right - 4, y: f.y(budget) - 5, 'text-anchor': 'end' }, esc('budget ' + options.money(budget) + ' (' + data.budget.label + ')'));
    else if (budget !== null) out += el('text', { class: 'budget', x: f.box.right - 4, y: f.box.top + 10, 'text-anchor': 'end' }, esc('budget ' + options.money(budget) + ' is off the scale: ' + ((peak / budget) * 100).toFixed(1) + '% spent'));
    for (let index = 0; index < n; index += 1) { const c = column(index); out += el('rect', { class: 'hit', x: c.x0, width: Math.max(1, c.x1 - c.x0), y: f.box.top, height: f.box.bottom - f.box.top, 'data-index': index }); }
    svg.innerHTML = out;
    const tooltip = options.tooltip;
    const show = (index) => {
      svg.querySelectorAll('rect.hit.on').forEach((hit) => hit.classList.remove('on'));
      if (index === null || index < 0 || index >= n) { tooltip.hidden = true; return; }
      const hit = svg.querySelector('rect.hit[data-index="' + index + '"]'); hit.classList.add('on');
      const start = data.starts[index];
      const rows = data.series.map((series, row) => ({ name: series.name, usd: values[row][index], calls: series.calls[index], row })).filter((entry) => entry.usd > 0 || entry.calls > 0);
      tooltip.innerHTML = '<strong>' + esc(formatTime(start, data.bucketMs) + ' – ' + formatTime(start + data.bucketMs, data.bucketMs)) + '</strong>' + (cumulative ? ' <span class="muted">(cumulative)</span>' : '') +
        rows.map((entry) => '<div>' + swatch(entry.row) + ' ' + esc(entry.name) + ': ' + options.money(entry.usd) + ' · ' + entry.calls + ' calls</div>').join('') +
        '<div>total ' + options.money(stacks[index]) + '</div>';
      tooltip.hidden = false;
      const rect = svg.getBoundingClientRect(), host = svg.parentElement.getBoundingClientRect();
      const px = (Number(hit.getAttribute('x')) / width) * rect.width + rect.left - host.left;
      tooltip.style.left = Math.min(px + 12, host.width - tooltip.offsetWidth - 4) + 'px';
      tooltip.style.top = (rect.top - host.top + 20) + 'px';
      svg.dataset.focusIndex = index;
    };
    svg.onmousemove = (event) => { const hit = event.target.closest && event.target.closest('rect.hit'); show(hit ? Number(hit.dataset.index) : null); };
    svg.onmouseleave = () => show(null);
    svg.onblur = () => show(null);
    svg.onkeydown = (event) => {
      const current = svg.dataset.focusIndex === undefined ? n - 1 : Number(svg.dataset.focusIndex);
      if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') { event.preventDefault(); show(Math.min(n - 1, Math.max(0, current + (event.key === 'ArrowLeft' ? -1 : 1)))); }
      else if (event.key === 'Enter' && svg.dataset.focusIndex !== undefined) options.onZoom(data.starts[current], data.starts[current] + data.bucketMs);
    };
    delete svg.dataset.focusIndex;
    zoomable(svg, view, options.onZoom, (t) => { const index = Math.floor((t - data.starts[0]) / data.bucketMs); return index >= 0 && index < n ? { from: data.starts[index], to: data.starts[index] + data.bucketMs } : null; });
    return { peak, budgetShown };
  }

  /** Cost per run: one point per run (a link to its call tree), anomalies larger and outlined, p50/p99 lines. */
  function runs(svg, list, baseline, range, options) {
    const width = svg.clientWidth || 600, height = 240;
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height); svg.setAttribute('height', height);
    if (list.length === 0) { svg.innerHTML = el('text', { x: 10, y: 20 }, 'No runs in this range.'); return; }
    let from = range.from, to = range.to;
    if (!Number.isFinite(from) || from <= 0) { from = Math.min(...list.map((run) => run.startedAt)); to = Math.max(...list.map((run) => run.startedAt)) + 1; }
    const pad = Math.max(1000, (to - from) * 0.02);
    const yTicks = usdTicks(Math.max(...list.map((run) => run.costUsd), baseline ? baseline.p99Usd : 0, 1e-9), 4);
    const f = frame(width, height, from - pad, to + pad, yTicks);
    let out = f.out;
    if (baseline) for (const [name, usd] of [['p50', baseline.p50Usd], ['p99', baseline.p99Usd]])
      out += el('line', { class: name, x1: f.box.left, x2: f.box.right, y1: f.y(usd), y2: f.y(usd), 'data-usd': usd }) +
        el('text', { class: name, x: f.box.right - 2, y: f.y(usd) - 4, 'text-anchor': 'end' }, esc(name + ' ' + options.money(usd)));
    const parts = [];
    // Thousands of points: one formatter and plain concatenation keep this in tens of milliseconds.
    const when = new Intl.DateTimeFormat([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    for (const run of list) {
      const id = esc(run.runId);
      const label = 'Run ' + id + ', ' + esc(run.workflow) + ', ' + when.format(run.startedAt) + ', ' + options.money(run.costUsd) + (run.anomalies ? ', anomaly' : '');
      parts.push('<a href="#run=' + encodeURIComponent(run.runId) + '" data-run-id="' + id + '"' + (parts.length === 0 ? '' : ' tabindex="-1"') + '><circle class="' + (run.anomalies ? 'point anomaly' : 'point') +
        '" cx="' + f.x(run.startedAt).toFixed(1) + '" cy="' + f.y(run.costUsd).toFixed(1) + '" r="' + (run.anomalies ? 6 : 3.5) + '" data-usd="' + run.costUsd + '"><title>' + label + '</title></circle></a>');
    }
    svg.innerHTML = out + parts.join('');
    // One Tab stop for the whole scatter (thousands of points): arrow keys move between points, most
    // expensive first, Enter opens the focused run.
    svg.onkeydown = (event) => {
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
      const current = event.target.closest && event.target.closest('a[data-run-id]');
      if (!step || !current) return;
      event.preventDefault();
      const next = step > 0 ? current.nextElementSibling : current.previousElementSibling;
      if (!next || next.tagName.toLowerCase() !== 'a') return;
      current.setAttribute('tabindex', '-1'); next.removeAttribute('tabindex'); next.focus();
    };
  }

  return { spend, runs, usdTicks, timeTicks, swatch };
})();
`;
