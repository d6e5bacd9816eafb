/**
 * The dashboard page: one HTML document with its style and script inline (allowed by a per-response CSP
 * nonce), no build step, nothing from a CDN. Charts are plain SVG.
 */
export function dashboardPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TokenFence — spend</title>
<style nonce="${nonce}">
  :root { --ink: #1d2330; --muted: #6b7280; --line: #e5e7eb; --accent: #2563eb; --warn: #dc2626; --ok: #059669; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, Segoe UI, Roboto, sans-serif; color: var(--ink); background: #f6f7f9; }
  header { display: flex; gap: 16px; align-items: center; padding: 12px 20px; background: #fff; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0 12px 0 0; }
  #total { font-weight: 600; }
  #live-dot { width: 9px; height: 9px; border-radius: 50%; background: var(--muted); display: inline-block; margin-right: 6px; }
  #live-dot.on { background: var(--ok); }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; padding: 16px 20px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
  section h2 { font-size: 14px; margin: 0 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { cursor: pointer; color: var(--muted); font-weight: 500; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr[data-run-id] { cursor: pointer; }
  tr[data-run-id]:hover, tr.selected { background: #eef2ff; }
  .bar { fill: var(--accent); }
  .bar-bg { fill: #eef2ff; }
  .reserved { fill: #f59e0b; }
  .point { fill: var(--accent); }
  .point.anomaly { fill: var(--warn); }
  line.p50 { stroke: var(--ok); stroke-dasharray: 4 3; }
  line.p99 { stroke: var(--warn); stroke-dasharray: 4 3; }
  svg text { font-size: 11px; fill: var(--ink); }
  button { font: inherit; border: 1px solid var(--warn); color: var(--warn); background: #fff; border-radius: 4px; padding: 2px 8px; cursor: pointer; }
  button:disabled { border-color: var(--line); color: var(--muted); cursor: not-allowed; }
  #live { list-style: none; margin: 0; padding: 0; max-height: 260px; overflow: auto; font-family: ui-monospace, monospace; font-size: 12px; }
  #live li { padding: 2px 0; border-bottom: 1px dotted var(--line); }
  .muted { color: var(--muted); }
  .tag { display: inline-block; padding: 0 5px; border-radius: 3px; background: #fee2e2; color: var(--warn); font-size: 11px; }
  .wide { grid-column: 1 / -1; }
</style>
</head>
<body>
<header>
  <h1>TokenFence</h1>
  <span><span id="live-dot"></span><span id="total">—</span> <span class="muted">spent</span></span>
  <label>Range <select id="range"><option value="1h">last hour</option><option value="24h" selected>24 hours</option><option value="7d">7 days</option><option value="30d">30 days</option><option value="all">all</option></select></label>
  <label>Workflow <select id="workflow"><option value="">all workflows</option></select></label>
  <label>Tags <input id="tag-filter" placeholder="tenant=acme feature=search" size="24"></label>
  <label>By tag <input id="tag-key" placeholder="tenant" size="10"></label>
  <span id="updated" class="muted"></span>
</header>
<main>
  <section><h2>Cost by agent role</h2><svg id="agents" width="100%" height="10"></svg></section>
  <section><h2>Cost per run <span class="muted" id="baseline-note"></span></h2><svg id="runs-chart" width="100%" height="220"></svg></section>
  <section><h2>Budgets</h2><div id="budgets" class="muted">—</div></section>
  <section><h2>Cost by tag <span class="muted" id="by-tag-key"></span></h2><table id="by-tag"><thead><tr><th>Value</th><th class="num">Runs</th><th class="num">Calls</th><th class="num">Cost</th><th class="num">Share</th><th class="num">P99/run</th></tr></thead><tbody></tbody></table></section>
  <section class="wide"><h2>Workflows</h2><table id="workflows"><thead><tr><th>Workflow</th><th class="num">Runs</th><th class="num">Avg</th><th class="num">P50</th><th class="num">P99</th><th class="num">Max</th><th class="num">Anomalies</th><th></th></tr></thead><tbody></tbody></table></section>
  <section class="wide"><h2>Runs (click for the call tree)</h2><table id="runs"><thead><tr><th data-sort="runId">Run</th><th data-sort="workflow">Workflow</th><th data-sort="startedAt">Started</th><th class="num" data-sort="calls">Calls</th><th class="num" data-sort="costUsd">Cost</th><th class="num" data-sort="anomalies">Anomalies</th><th>Of its budget</th><th></th></tr></thead><tbody></tbody></table></section>
  <section class="wide" id="run-detail"><h2>Run detail</h2><div class="muted">Select a run.</div></section>
  <section class="wide"><h2>Live</h2><ul id="live"></ul></section>
</main>
<script nonce="${nonce}">
(() => {
  const token = new URLSearchParams(location.search).get('token') || '';
  const $ = (selector) => document.querySelector(selector);
  const money = (usd) => usd === null || usd === undefined ? '—' : '$' + usd.toFixed(usd !== 0 && Math.abs(usd) < 0.01 ? 6 : 4);
  const num = (value) => String(Number(value));
  // Records split the way every report splits them (sent / blocked / killed); the split only when not all were sent.
  const calls = (row) => num(row.calls) + (row.sentCalls !== undefined && row.sentCalls !== row.calls ? ' (' + num(row.sentCalls) + ' sent, ' + num(row.blockedCalls) + ' blocked, ' + num(row.killedCalls) + ' killed)' : '');
  const text = (value) => String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const api = (path, init = {}) => fetch(path, { ...init, headers: { 'x-tokenfence-token': token, ...(init.headers || {}) } }).then((response) => { if (!response.ok) throw new Error(response.status + ''); return response.json(); });
  let state = null;
  let sort = { key: 'startedAt', desc: true };
  let selectedRun = null;

  function query() {
    const params = new URLSearchParams({ range: $('#range').value });
    if ($('#workflow').value) params.set('workflow', $('#workflow').value);
    for (const pair of $('#tag-filter').value.split(/[s,]+/)) if (pair) params.append('tag', pair);
    if ($('#tag-key').value.trim()) params.set('tagKey', $('#tag-key').value.trim());
    return params.toString();
  }

  async function refresh() {
    state = await api('/api/summary?' + query());
    render();
  }

  function render() {
    $('#total').textContent = money(state.totalUsd);
    $('#updated').textContent = 'updated ' + new Date(state.generatedAt).toLocaleTimeString();
    const select = $('#workflow');
    const chosen = select.value;
    select.innerHTML = '<option value="">all workflows</option>' + state.workflows.map((row) => '<option value="' + text(row.workflow) + '"' + (row.workflow === chosen ? ' selected' : '') + '>' + text(row.workflow) + '</option>').join('');
    renderAgents();
    renderRunsChart();
    renderBudgets();
    renderWorkflows();
    renderRuns();
    renderByTag();
  }

  function renderByTag() {
    $('#by-tag-key').textContent = '(' + state.byTag.key + ')';
    $('#by-tag tbody').innerHTML = state.byTag.rows.map((row) => '<tr data-tag-value="' + text(row.value) + '"><td>' + text(row.value) + '</td><td class="num">' + num(row.runs) + '</td><td class="num">' + num(row.calls) + '</td><td class="num">' + money(row.costUsd) + '</td><td class="num">' + (row.share * 100).toFixed(1) + '%</td><td class="num">' + money(row.p99Usd) + '</td></tr>').join('');
  }

  function renderAgents() {
    const svg = $('#agents');
    const rows = state.agents;
    const max = Math.max(...rows.map((row) => row.costUsd), 1e-12);
    svg.setAttribute('height', String(Math.max(24, rows.length * 26 + 4)));
    svg.innerHTML = rows.map((row, index) => {
      const y = index * 26 + 2;
      const width = Math.max(1, (row.costUsd / max) * 40);
      return '<g data-agent="' + text(row.agent) + '" data-cost="' + row.costUsd + '"><text x="0" y="' + (y + 15) + '">' + text(row.agent) + '</text>' +
        '<rect class="bar-bg" x="22%" y="' + y + '" width="40%" height="20" rx="3"></rect>' +
        '<rect class="bar" x="22%" y="' + y + '" width="' + width + '%" height="20" rx="3"></rect>' +
        '<text x="64%" y="' + (y + 15) + '">' + money(row.costUsd) + ' · ' + calls(row) + ' calls · ' + (row.share * 100).toFixed(1) + '%</text></g>';
    }).join('');
  }

  function renderRunsChart() {
    const svg = $('#runs-chart');
    const runs = [...state.runs].sort((a, b) => a.startedAt - b.startedAt);
    const width = svg.clientWidth || 600;
    const height = 220;
    const pad = 36;
    if (runs.length === 0) { svg.innerHTML = '<text x="10" y="20" class="muted">No runs in this range.</text>'; return; }
    const t0 = runs[0].startedAt;
    const t1 = runs[runs.length - 1].startedAt;
    const top = Math.max(...runs.map((run) => run.costUsd), state.baseline ? state.baseline.p99Usd : 0, 1e-12);
    const x = (t) => pad + (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0)) * (width - 2 * pad);
    const y = (usd) => height - pad - (usd / top) * (height - 2 * pad);
    let out = '<line x1="' + pad + '" y1="' + (height - pad) + '" x2="' + (width - pad) + '" y2="' + (height - pad) + '" stroke="#e5e7eb"></line>';
    out += '<text x="2" y="' + (y(top) + 4) + '">' + money(top) + '</text>';
    if (state.baseline) {
      out += '<line class="p50" x1="' + pad + '" x2="' + (width - pad) + '" y1="' + y(state.baseline.p50Usd) + '" y2="' + y(state.baseline.p50Usd) + '"></line>';
      out += '<line class="p99" x1="' + pad + '" x2="' + (width - pad) + '" y1="' + y(state.baseline.p99Usd) + '" y2="' + y(state.baseline.p99Usd) + '"></line>';
      $('#baseline-note').textContent = '— p50 ' + money(state.baseline.p50Usd) + ' · p99 ' + money(state.baseline.p99Usd);
    } else {
      $('#baseline-note').textContent = '(pick a workflow for its p50/p99)';
    }
    out += runs.map((run) => '<circle class="point' + (run.anomalies ? ' anomaly' : '') + '" data-run-id="' + text(run.runId) + '" cx="' + x(run.startedAt) + '" cy="' + y(run.costUsd) + '" r="' + (run.anomalies ? 6 : 4) + '"><title>' + text(run.runId) + ' ' + money(run.costUsd) + '</title></circle>').join('');
    svg.innerHTML = out;
  }

  function renderBudgets() {
    if (state.budgets.length === 0) { $('#budgets').innerHTML = '<span class="muted">Start the dashboard with startDashboard({ fence }) to see live budgets.</span>'; return; }
    $('#budgets').innerHTML = state.budgets.map((scope) => {
      const budget = scope.budgetUsd;
      const spent = budget ? Math.min(100, (scope.spentUsd / budget) * 100) : 0;
      const held = budget ? Math.min(100 - spent, (scope.reservedUsd / budget) * 100) : 0;
      return '<div data-budget="' + text(scope.label) + '"><div>' + text(scope.label) + (scope.killed ? ' <span class="tag">killed</span>' : '') + ' <span class="muted">' + money(scope.spentUsd) + ' spent, ' + money(scope.reservedUsd) + ' held of ' + money(budget) + (scope.window ? ' per ' + text(scope.window.period) + ' (since ' + new Date(scope.window.startedAt).toLocaleString() + ')' : '') + '</span>' +
        (scope.forecast ? ' <span class="muted" data-forecast>· projected ' + money(scope.forecast.projectedUsd) + (scope.forecast.windowEndsAt ? ' by ' + new Date(scope.forecast.windowEndsAt).toLocaleString() : '') + (scope.forecast.exhaustsAt ? ' · <span class="tag">runs out ' + new Date(scope.forecast.exhaustsAt).toLocaleString() + '</span>' : '') + '</span>' : '') + '</div>' +
        '<svg width="100%" height="14"><rect class="bar-bg" width="100%" height="12" rx="3"></rect><rect class="bar" width="' + spent + '%" height="12" rx="3"></rect><rect class="reserved" x="' + spent + '%" width="' + held + '%" height="12"></rect></svg></div>';
    }).join('');
  }

  function renderWorkflows() {
    $('#workflows tbody').innerHTML = state.workflows.map((row) => '<tr data-workflow="' + text(row.workflow) + '"><td>' + text(row.workflow) + '</td><td class="num">' + num(row.runs) + '</td><td class="num">' + money(row.avgCostNanos / 1e9) + '</td><td class="num">' + money(row.p50Nanos / 1e9) + '</td><td class="num">' + money(row.p99Nanos / 1e9) + '</td><td class="num">' + money(row.maxNanos / 1e9) + '</td><td class="num">' + num(row.anomalies) + '</td><td><button data-kill-workflow="' + text(row.workflow) + '">kill</button></td></tr>').join('');
  }

  function budgetBar(spentUsd, budgetUsd) {
    if (!budgetUsd) return '<span class="muted">no limit</span>';
    const share = Math.min(100, (spentUsd / budgetUsd) * 100);
    return '<svg width="90" height="10" data-budget-share="' + share.toFixed(1) + '"><rect class="bar-bg" width="90" height="10" rx="2"></rect><rect class="bar" width="' + (share * 0.9).toFixed(1) + '" height="10" rx="2"></rect></svg> <span class="muted">' + share.toFixed(0) + '% of ' + money(budgetUsd) + '</span>';
  }

  function renderRuns() {
    const active = new Map(state.activeRuns.map((run) => [run.runId, run]));
    const rows = [...state.runs];
    for (const run of state.activeRuns) if (!rows.some((row) => row.runId === run.runId)) rows.push({ runId: run.runId, workflow: run.workflow, startedAt: Date.now(), calls: 0, costUsd: run.spentUsd, anomalies: 0, outcome: 'running', budgetUsd: run.budgetUsd });
    rows.sort((a, b) => (a[sort.key] < b[sort.key] ? -1 : a[sort.key] > b[sort.key] ? 1 : 0) * (sort.desc ? -1 : 1));
    $('#runs tbody').innerHTML = rows.map((run) => {
      const live = active.get(run.runId);
      // Without the live fence (another process runs the agents), a run with calls and no end is in progress.
      const killable = live ? !live.killed : run.outcome === 'running';
      const kill = killable ? '<button data-kill-run="' + text(run.runId) + '">kill</button>' : (live && live.killed) || run.outcome === 'killed' ? '<span class="tag">killed</span>' : run.outcome === 'error' ? '<span class="tag">error</span>' : '';
      return '<tr data-run-id="' + text(run.runId) + '" data-cost="' + run.costUsd + '"' + (run.runId === selectedRun ? ' class="selected"' : '') + '><td>' + text(run.runId.slice(0, 12)) + (live || run.outcome === 'running' ? ' <span class="muted">live</span>' : '') + '</td><td>' + text(run.workflow) + '</td><td>' + new Date(run.startedAt).toLocaleString() + '</td><td class="num" data-calls>' + calls(run) + '</td><td class="num">' + money(run.costUsd) + '</td><td class="num">' + (run.anomalies ? '<span class="tag">' + num(run.anomalies) + '</span>' : '0') + '</td><td>' + (live ? budgetBar(live.spentUsd, live.budgetUsd) : run.outcome === 'running' ? '' : budgetBar(run.costUsd, run.budgetUsd)) + '</td><td>' + kill + '</td></tr>';
    }).join('');
  }

  async function showRun(runId) {
    selectedRun = runId;
    const run = await api('/api/runs/' + encodeURIComponent(runId));
    $('#run-detail').innerHTML = '<h2>Run ' + text(run.runId) + ' · ' + text(run.workflow) + ' · ' + money(run.costUsd) + ' · ' + calls(run) + ' calls</h2>' + run.agents.map((agent) =>
      '<h3 data-detail-agent="' + text(agent.agent) + '">' + text(agent.agent) + ' <span class="muted">' + money(agent.costUsd) + ' · ' + calls(agent) + ' calls</span></h3>' +
      '<table><thead><tr><th>Time</th><th>Model asked</th><th>Model used</th><th class="num">In</th><th class="num">Out</th><th class="num">Cost</th><th>Outcome</th></tr></thead><tbody>' +
      agent.callList.map((call) => '<tr data-call data-model-used="' + text(call.modelUsed) + '" data-cost="' + call.costUsd + '"><td>' + new Date(call.ts).toLocaleTimeString() + '</td><td>' + text(call.model) + '</td><td>' + text(call.modelUsed) + (call.downgraded ? ' <span class="tag">downgraded</span>' : '') + '</td><td class="num">' + num(call.inputTokens) + '</td><td class="num">' + num(call.outputTokens) + '</td><td class="num">' + money(call.costUsd) + (call.costSource === 'estimated' ? ' <span class="muted">est.</span>' : '') + '</td><td>' + text(call.outcome) + (call.attempt > 1 ? ' <span class="muted">retry ' + num(call.attempt - 1) + '</span>' : '') + '</td></tr>').join('') +
      '</tbody></table>').join('');
    renderRuns();
  }

  function report(error) { $('#updated').textContent = 'request failed (' + error.message + ')'; }

  async function kill(body) {
    const answer = await api('/api/kill', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (answer.queued) $('#updated').textContent = 'kill order sent: the process running it stops within a second';
    await refresh();
  }

  document.addEventListener('click', (event) => {
    const target = event.target.closest('[data-kill-run],[data-kill-workflow],tr[data-run-id],circle[data-run-id],th[data-sort]');
    if (!target) return;
    if (target.dataset.killRun) { kill({ runId: target.dataset.killRun }).catch(report); return; }
    if (target.dataset.killWorkflow) { kill({ workflow: target.dataset.killWorkflow }).catch(report); return; }
    if (target.dataset.sort) { sort = { key: target.dataset.sort, desc: sort.key === target.dataset.sort ? !sort.desc : true }; renderRuns(); return; }
    showRun(target.dataset.runId).catch(report);
  });
  const refreshOrReport = () => refresh().catch(report);
  $('#range').addEventListener('change', refreshOrReport);
  $('#workflow').addEventListener('change', refreshOrReport);
  $('#tag-filter').addEventListener('change', refreshOrReport);
  $('#tag-key').addEventListener('change', refreshOrReport);

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
  refreshOrReport();
})();
</script>
</body>
</html>`;
}
