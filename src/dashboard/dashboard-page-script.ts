/**
 * The page's script (browser JavaScript, inlined under the CSP nonce): fetches the summary, the spend
 * series and pages of runs, draws the panels with their loading / error states, and follows the live stream.
 */
export const DASHBOARD_SCRIPT = String.raw`
(() => {
  const token = new URLSearchParams(location.search).get('token') || '';
  const $ = (selector) => document.querySelector(selector);
  const money = (usd) => usd === null || usd === undefined ? '—' : '$' + usd.toFixed(usd !== 0 && Math.abs(usd) < 0.01 ? 6 : 4);
  const num = (value) => Number(value).toLocaleString('en-US');
  // Records split the way every report splits them (sent / blocked / killed); the split only when not all were sent.
  const calls = (row) => num(row.calls) + (row.sentCalls !== undefined && row.sentCalls !== row.calls ? ' (' + num(row.sentCalls) + ' sent, ' + num(row.blockedCalls) + ' blocked, ' + num(row.killedCalls) + ' killed)' : '');
  const text = (value) => String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const clip = (value) => '<span class="clip" title="' + text(value) + '">' + text(value) + '</span>';
  const api = (path, init = {}) => fetch(path, { ...init, headers: { 'x-tokenfence-token': token, ...(init.headers || {}) } }).then(async (response) => {
    if (!response.ok) { const body = await response.json().catch(() => ({})); throw new Error(response.status + (body.error ? ': ' + body.error : '')); }
    return response.json();
  });
  const PAGE = 50, POINTS = 5000;
  let state = null, series = null, runPage = null, points = null;
  let sort = { key: 'startedAt', desc: true };
  let offset = 0, zoom = null, selectedRun = null;
  const renderMs = {};
  window.__tokenfence = { renderMs };

  /** A panel's state: loading (spinner), error (the reason, kept until the next success), or ready. */
  function panelState(id, status, message) {
    const section = $('#' + id + '-panel');
    section.dataset.state = status;
    section.setAttribute('aria-busy', status === 'loading' ? 'true' : 'false');
    const line = section.querySelector('.status');
    line.textContent = status === 'loading' ? 'Loading…' : status === 'error' ? 'Could not load (' + message + '). Retrying with the next update.' : message || '';
    line.hidden = status === 'ready' && !message;
  }
  const timed = (name, draw) => { const started = performance.now(); draw(); renderMs[name] = performance.now() - started; };

  function filters() {
    const params = new URLSearchParams();
    if ($('#workflow').value) params.set('workflow', $('#workflow').value);
    for (const pair of $('#tag-filter').value.split(/[\s,]+/)) if (pair) params.append('tag', pair);
    return params;
  }
  function summaryQuery() {
    const params = filters();
    params.set('range', $('#range').value);
    if ($('#tag-key').value.trim()) params.set('tagKey', $('#tag-key').value.trim());
    return params.toString();
  }
  /** The spend series, the runs chart and the run list follow the zoom; the other panels keep the range. */
  function spanQuery(extra) {
    const params = filters();
    if (zoom) { params.set('from', String(zoom.from)); params.set('to', String(zoom.to)); } else params.set('range', $('#range').value);
    for (const [key, value] of Object.entries(extra || {})) params.set(key, String(value));
    return params.toString();
  }
  function seriesSplit() {
    const by = $('#spend-by').value;
    return by === 'tag' ? 'tag:' + ($('#tag-key').value.trim() || (state && state.byTag.key) || 'tenant') : by;
  }

  const load = (id, request, draw) => request().then((value) => { draw(value); return value; }, (error) => { panelState(id, 'error', error.message); });
  const loadSummary = () => load('agents', () => api('/api/summary?' + summaryQuery()), (value) => { state = value; render(); });
  const loadSeries = () => load('spend', () => api('/api/series?' + spanQuery({ by: seriesSplit(), tz: new Date().getTimezoneOffset() })), (value) => { series = value; timed('spend', renderSpend); });
  const loadRuns = () => load('runs', () => api('/api/runs?' + spanQuery({ offset, limit: PAGE, sort: sort.key, order: sort.desc ? 'desc' : 'asc' })), (value) => { runPage = value; timed('runs', renderRuns); });
  const loadPoints = () => load('runs-chart', () => api('/api/runs?' + spanQuery({ limit: POINTS, sort: 'costUsd', order: 'desc' })), (value) => { points = value; if (state) timed('runsChart', renderRunsChart); });
  function refresh() {
    return Promise.all([loadSummary().then(() => { if (points) timed('runsChart', renderRunsChart); }), loadSeries(), loadRuns(), loadPoints()]);
  }

  function render() {
    $('#total').textContent = money(state.totalUsd);
    $('#updated').textContent = 'updated ' + new Date(state.generatedAt).toLocaleTimeString();
    const select = $('#workflow');
    const chosen = select.value;
    select.innerHTML = '<option value="">all workflows</option>' + state.workflows.map((row) => '<option value="' + text(row.workflow) + '"' + (row.workflow === chosen ? ' selected' : '') + '>' + text(row.workflow) + '</option>').join('');
    timed('agents', renderAgents);
    renderBudgets();
    renderWorkflows();
    renderByTag();
    if (runPage) renderRuns();
  }

  function renderSpend() {
    const svg = $('#spend-chart');
    svg.dataset.from = series.from;
    svg.dataset.to = series.to;
    const drawn = Charts.spend(svg, series, { mode: $('#spend-mode').value, money, tooltip: $('#spend-tooltip'), onZoom: (from, to) => { zoom = { from, to }; offset = 0; Promise.all([loadSeries(), loadRuns(), loadPoints()]); } });
    const total = series.series.reduce((sum, row) => sum + row.totalUsd, 0);
    const span = new Date(series.from).toLocaleString() + ' – ' + new Date(series.to).toLocaleString();
    $('#spend-range').textContent = span + ' · ' + (series.bucketMs >= 86400000 ? series.bucketMs / 86400000 + ' d' : series.bucketMs >= 3600000 ? series.bucketMs / 3600000 + ' h' : series.bucketMs / 60000 + ' min') + ' intervals';
    $('#zoom-reset').hidden = !zoom;
    $('#spend-legend').innerHTML = series.series.map((row, index) => '<li data-legend="' + text(row.name) + '">' + Charts.swatch(index) + '<span class="name" title="' + text(row.name) + '">' + text(row.name) + '</span> <span class="muted">' + money(row.totalUsd) + '</span></li>').join('');
    $('#spend-alt').textContent = series.series.length === 0 ? 'No spend from ' + span + '.' :
      'Spend from ' + span + ', ' + money(total) + ' in all: ' + series.series.map((row) => row.name + ' ' + money(row.totalUsd)).join(', ') + '.' +
      (series.budget ? ' Budget of ' + series.budget.label + ': ' + money(series.budget.usd) + (drawn.budgetShown ? ', drawn as a dashed line.' : ', above the scale.') : '') +
      ' Arrow keys step through the intervals; Enter zooms in.';
    const head = '<tr><th scope="col">Interval start</th>' + series.series.map((row) => '<th scope="col" class="num">' + text(row.name) + '</th>').join('') + '</tr>';
    const body = series.starts.map((start, index) => series.series.some((row) => row.calls[index] > 0) ? '<tr><th scope="row">' + new Date(start).toLocaleString() + '</th>' + series.series.map((row) => '<td class="num">' + money(row.usd[index]) + '</td>').join('') + '</tr>' : '').join('');
    $('#spend-table').innerHTML = '<table><thead>' + head + '</thead><tbody>' + body + '</tbody></table>';
    panelState('spend', 'ready', series.series.length === 0 ? 'No calls in this range.' : '');
  }

  function renderByTag() {
    $('#by-tag-key').textContent = '(' + state.byTag.key + ')';
    $('#by-tag tbody').innerHTML = state.byTag.rows.map((row) => '<tr data-tag-value="' + text(row.value) + '"><td>' + clip(row.value) + '</td><td class="num">' + num(row.runs) + '</td><td class="num">' + num(row.calls) + '</td><td class="num">' + money(row.costUsd) + '</td><td class="num">' + (row.share * 100).toFixed(1) + '%</td><td class="num">' + money(row.p99Usd) + '</td></tr>').join('');
    panelState('by-tag', 'ready', state.byTag.rows.length === 0 ? 'No calls carry the tag ' + state.byTag.key + '.' : '');
  }

  const figures = (row) => money(row.costUsd) + ' · ' + num(row.calls) + ' calls · ' + (row.share * 100).toFixed(1) + '%';
  function renderAgents() {
    const rows = state.agents;
    const max = Math.max(...rows.map((row) => row.costUsd), 1e-12);
    $('#agents').innerHTML = rows.map((row) => '<div class="agent-row" role="listitem" data-agent="' + text(row.agent) + '" data-cost="' + row.costUsd + '">' +
      '<span class="label" title="' + text(row.agent) + '">' + text(row.agent) + '</span>' +
      '<svg width="100%" height="14" aria-hidden="true"><rect class="bar-bg" width="100%" height="14" rx="3"></rect><rect class="bar" width="' + Math.max(0.5, (row.costUsd / max) * 100).toFixed(2) + '%" height="14" rx="3"></rect></svg>' +
      '<span class="figures" title="' + figures(row) + '">' + figures(row) + '</span></div>').join('');
    panelState('agents', 'ready', rows.length === 0 ? 'No calls in this range.' : '');
  }

  function renderRunsChart() {
    const list = points.rows;
    Charts.runs($('#runs-chart'), list, state.baseline, series && zoom ? zoom : { from: NaN, to: NaN }, { money });
    $('#baseline-note').textContent = state.baseline ? '— p50 ' + money(state.baseline.p50Usd) + ' · p99 ' + money(state.baseline.p99Usd) : '(pick a workflow for its p50/p99)';
    const cut = points.total > list.length ? num(list.length) + ' of ' + num(points.total) + ' runs plotted (the most expensive); ' : num(list.length) + ' runs plotted; ';
    $('#runs-chart-alt').textContent = cut + list.filter((run) => run.anomalies).length + ' flagged as anomalies (large, outlined points). Each point is a link to its run’s call tree; the run list below is this chart as a table.';
    panelState('runs-chart', 'ready', points.total > list.length ? 'Showing ' + num(list.length) + ' of ' + num(points.total) + ' runs.' : '');
  }

  function renderBudgets() {
    panelState('budgets', 'ready', '');
    if (state.budgets.length === 0) { $('#budgets').innerHTML = '<span class="muted">Start the dashboard with startDashboard({ fence }) to see live budgets.</span>'; return; }
    $('#budgets').innerHTML = state.budgets.map((scope) => {
      const budget = scope.budgetUsd;
      const spent = budget ? Math.min(100, (scope.spentUsd / budget) * 100) : 0;
      const held = budget ? Math.min(100 - spent, (scope.reservedUsd / budget) * 100) : 0;
      return '<div data-budget="' + text(scope.label) + '"><div>' + clip(scope.label) + (scope.killed ? ' <span class="tag">killed</span>' : '') + ' <span class="muted">' + money(scope.spentUsd) + ' spent, ' + money(scope.reservedUsd) + ' held of ' + money(budget) + (scope.window ? ' per ' + text(scope.window.period) + ' (since ' + new Date(scope.window.startedAt).toLocaleString() + ')' : '') + '</span>' +
        (scope.forecast ? ' <span class="muted" data-forecast>· projected ' + money(scope.forecast.projectedUsd) + (scope.forecast.windowEndsAt ? ' by ' + new Date(scope.forecast.windowEndsAt).toLocaleString() : '') + (scope.forecast.exhaustsAt ? ' · <span class="tag">runs out ' + new Date(scope.forecast.exhaustsAt).toLocaleString() + '</span>' : '') + '</span>' : '') + '</div>' +
        '<svg width="100%" height="14" role="img" aria-label="' + spent.toFixed(0) + '% spent, ' + held.toFixed(0) + '% held"><rect class="bar-bg" width="100%" height="12" rx="3"></rect><rect class="bar" width="' + spent + '%" height="12" rx="3"></rect><rect class="reserved" x="' + spent + '%" width="' + held + '%" height="12"></rect></svg></div>';
    }).join('');
  }

  function renderWorkflows() {
    $('#workflows tbody').innerHTML = state.workflows.map((row) => '<tr data-workflow="' + text(row.workflow) + '"><td>' + clip(row.workflow) + '</td><td class="num">' + num(row.runs) + '</td><td class="num">' + money(row.avgCostNanos / 1e9) + '</td><td class="num">' + money(row.p50Nanos / 1e9) + '</td><td class="num">' + money(row.p99Nanos / 1e9) + '</td><td class="num">' + money(row.maxNanos / 1e9) + '</td><td class="num">' + num(row.anomalies) + '</td><td><button type="button" class="kill" data-kill-workflow="' + text(row.workflow) + '" aria-label="Kill workflow ' + text(row.workflow) + '">kill</button></td></tr>').join('');
    panelState('workflows', 'ready', state.workflows.length === 0 ? 'No runs in this range.' : '');
  }

  function budgetBar(spentUsd, budgetUsd) {
    if (!budgetUsd) return '<span class="muted">no limit</span>';
    const share = Math.min(100, (spentUsd / budgetUsd) * 100);
    return '<svg width="90" height="10" aria-hidden="true" data-budget-share="' + share.toFixed(1) + '"><rect class="bar-bg" width="90" height="10" rx="2"></rect><rect class="bar" width="' + (share * 0.9).toFixed(1) + '" height="10" rx="2"></rect></svg> <span class="muted">' + share.toFixed(0) + '% of ' + money(budgetUsd) + '</span>';
  }

  function renderRuns() {
    const activeRuns = state ? state.activeRuns : [];
    const active = new Map(activeRuns.map((run) => [run.runId, run]));
    const rows = [...runPage.rows];
    // A run in progress with no call settled yet is in no ledger page: shown on the first page.
    if (offset === 0) for (const run of activeRuns) if (!rows.some((row) => row.runId === run.runId)) rows.unshift({ runId: run.runId, workflow: run.workflow, startedAt: Date.now(), calls: 0, costUsd: run.spentUsd, anomalies: 0, outcome: 'running', budgetUsd: run.budgetUsd });
    $('#runs tbody').innerHTML = rows.map((run) => {
      const live = active.get(run.runId);
      // Without the live fence (another process runs the agents), a run with calls and no end is in progress.
      const killable = live ? !live.killed : run.outcome === 'running';
      const kill = killable ? '<button type="button" class="kill" data-kill-run="' + text(run.runId) + '" aria-label="Kill run ' + text(run.runId) + '">kill</button>' : (live && live.killed) || run.outcome === 'killed' ? '<span class="tag">killed</span>' : run.outcome === 'error' ? '<span class="tag">error</span>' : '';
      return '<tr tabindex="0" data-run-id="' + text(run.runId) + '" data-cost="' + run.costUsd + '"' + (run.runId === selectedRun ? ' class="selected"' : '') + '><td>' + clip(run.runId) + (live || run.outcome === 'running' ? ' <span class="muted">live</span>' : '') + '</td><td>' + clip(run.workflow) + '</td><td>' + new Date(run.startedAt).toLocaleString() + '</td><td class="num">' + num(run.calls) + '</td><td class="num">' + money(run.costUsd) + '</td><td class="num">' + (run.anomalies ? '<span class="tag">' + num(run.anomalies) + '</span>' : '0') + '</td><td>' + (live ? budgetBar(live.spentUsd, live.budgetUsd) : run.outcome === 'running' ? '' : budgetBar(run.costUsd, run.budgetUsd)) + '</td><td>' + kill + '</td></tr>';
    }).join('');
    const total = runPage.total;
    const last = Math.min(total, offset + runPage.rows.length);
    $('#runs-count').textContent = total === 0 ? 'no runs' : 'Showing ' + num(total === 0 ? 0 : offset + 1) + '–' + num(last) + ' of ' + num(total) + ' runs';
    $('#runs-prev').disabled = offset === 0;
    $('#runs-next').disabled = last >= total;
    for (const head of document.querySelectorAll('#runs th[data-sort]')) head.setAttribute('aria-sort', head.dataset.sort === sort.key ? (sort.desc ? 'descending' : 'ascending') : 'none');
    panelState('runs', 'ready', total === 0 ? 'No runs in this range.' : '');
  }

  async function showRun(runId) {
    selectedRun = runId;
    const run = await api('/api/runs/' + encodeURIComponent(runId));
    $('#run-detail').innerHTML = '<h2 id="run-detail-title">Run ' + text(run.runId) + ' · ' + text(run.workflow) + ' · ' + money(run.costUsd) + ' · ' + calls(run) + ' calls</h2>' + run.agents.map((agent) =>
      '<h3 data-detail-agent="' + text(agent.agent) + '">' + text(agent.agent) + ' <span class="muted">' + money(agent.costUsd) + ' · ' + calls(agent) + ' calls</span></h3>' +
      '<table><thead><tr><th>Time</th><th>Model asked</th><th>Model used</th><th class="num">In</th><th class="num">Out</th><th class="num">Cost</th><th>Outcome</th></tr></thead><tbody>' +
      agent.callList.map((call) => '<tr data-call data-model-used="' + text(call.modelUsed) + '" data-cost="' + call.costUsd + '"><td>' + new Date(call.ts).toLocaleTimeString() + '</td><td>' + clip(call.model) + '</td><td>' + clip(call.modelUsed) + (call.downgraded ? ' <span class="tag">downgraded</span>' : '') + '</td><td class="num">' + num(call.inputTokens) + '</td><td class="num">' + num(call.outputTokens) + '</td><td class="num">' + money(call.costUsd) + (call.costSource === 'estimated' ? ' <span class="muted">est.</span>' : '') + '</td><td>' + text(call.outcome) + (call.attempt > 1 ? ' <span class="muted">retry ' + num(call.attempt - 1) + '</span>' : '') + '</td></tr>').join('') +
      '</tbody></table>').join('');
    if (runPage) renderRuns();
  }

  function report(error) { $('#updated').textContent = 'request failed (' + error.message + ')'; }

  async function kill(body) {
    const answer = await api('/api/kill', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (answer.queued) $('#updated').textContent = 'kill order sent: the process running it stops within a second';
    await refresh();
  }

  const openRun = (runId) => showRun(runId).then(() => $('#run-detail').focus({ preventScroll: true }), report);
  document.addEventListener('click', (event) => {
    const target = event.target.closest('[data-kill-run],[data-kill-workflow],tr[data-run-id],a[data-run-id],th[data-sort]');
    if (!target) return;
    if (target.dataset.killRun) { kill({ runId: target.dataset.killRun }).catch(report); return; }
    if (target.dataset.killWorkflow) { kill({ workflow: target.dataset.killWorkflow }).catch(report); return; }
    if (target.dataset.sort) { sort = { key: target.dataset.sort, desc: sort.key === target.dataset.sort ? !sort.desc : true }; offset = 0; loadRuns(); return; }
    event.preventDefault();
    openRun(target.dataset.runId);
  });
  document.addEventListener('keydown', (event) => {
    const row = event.target.closest && event.target.closest('tr[data-run-id]');
    if (row && event.target === row && (event.key === 'Enter' || event.key === ' ')) { event.preventDefault(); openRun(row.dataset.runId); }
  });
  if (location.hash.startsWith('#run=')) openRun(decodeURIComponent(location.hash.slice(5)));
  $('#runs-prev').addEventListener('click', () => { offset = Math.max(0, offset - PAGE); loadRuns(); });
  $('#runs-next').addEventListener('click', () => { offset += PAGE; loadRuns(); });
  $('#zoom-reset').addEventListener('click', () => { zoom = null; offset = 0; Promise.all([loadSeries(), loadRuns(), loadPoints()]); });
  $('#spend-by').addEventListener('change', loadSeries);
  $('#spend-mode').addEventListener('change', () => { if (series) renderSpend(); });
  const refreshOrReport = () => refresh().catch(report);
  const changed = () => { zoom = null; offset = 0; refreshOrReport(); };
  $('#range').addEventListener('change', changed);
  $('#workflow').addEventListener('change', changed);
  $('#tag-filter').addEventListener('change', changed);
  $('#tag-key').addEventListener('change', changed);
  let resizing = null;
  window.addEventListener('resize', () => { clearTimeout(resizing); resizing = setTimeout(() => { if (series) renderSpend(); if (points && state) renderRunsChart(); }, 150); });

  let pending = null;
  const source = new EventSource('/api/stream?token=' + encodeURIComponent(token));
  source.addEventListener('hello', () => $('#live-dot').classList.add('on'));
  source.addEventListener('error', () => $('#live-dot').classList.remove('on'));
  source.addEventListener('ledger-error', () => { source.close(); $('#live-dot').classList.remove('on'); });
  const tail = (line) => {
    const item = document.createElement('li');
    item.textContent = line;
    $('#live').prepend(item);
    while ($('#live').children.length > 200) $('#live').lastChild.remove();
  };
  source.addEventListener('call', (message) => {
    const call = JSON.parse(message.data);
    tail(new Date(call.ts).toLocaleTimeString() + '  ' + [call.workflow, call.agent].filter(Boolean).join('/') + '  ' + call.modelUsed + '  ' + money(call.costNanos / 1e9) + '  ' + call.outcome);
  });
  source.addEventListener('event', (message) => {
    const event = JSON.parse(message.data);
    tail(new Date(event.ts).toLocaleTimeString() + '  ' + event.type + '  ' + (event.workflow || event.scope));
  });
  // Throttled, not debounced: under a steady stream of calls a debounce would never fire.
  source.addEventListener('refresh', () => { if (!pending) pending = setTimeout(() => { pending = null; refreshOrReport(); }, 1000); });
  // The first view covers the whole history when it is short (a fresh ledger, a test, several days of it):
  // the smallest range holding the first call; ?range= in the URL chooses instead.
  const RANGE_MS = { '1h': 3600000, '24h': 86400000, '7d': 604800000, '30d': 2592000000 };
  const asked = new URLSearchParams(location.search).get('range');
  const firstRange = asked && (asked === 'all' || Object.hasOwn(RANGE_MS, asked)) ? Promise.resolve(asked) :
    api('/api/extent').then((extent) => extent.firstTs === null ? '24h' : Object.keys(RANGE_MS).find((key) => Date.now() - RANGE_MS[key] <= extent.firstTs) || 'all', () => '24h');
  firstRange.then((range) => { $('#range').value = range; refreshOrReport(); });
})();
`;
