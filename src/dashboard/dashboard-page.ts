import { DASHBOARD_CHARTS } from './dashboard-page-charts.js';
import { DASHBOARD_SCRIPT } from './dashboard-page-script.js';
import { DASHBOARD_STYLES } from './dashboard-page-styles.js';

/** A panel: its heading, a status line (loading / error / empty, announced politely) and its body. */
const panel = (id: string, title: string, body: string, wide = false) =>
  `<section id="${id}-panel" aria-labelledby="${id}-title" data-state="loading"${wide ? ' class="wide"' : ''}>` +
  `<h2 id="${id}-title">${title}</h2><p class="status" role="status" aria-live="polite">Loading…</p>${body}</section>`;

const sortable = (key: string, label: string, numeric = false) =>
  `<th${numeric ? ' class="num"' : ''} data-sort="${key}" aria-sort="none"><button type="button" class="sort">${label}</button></th>`;

/**
 * The dashboard page: one HTML document with its style and script inline (allowed by a per-response CSP
 * nonce), no build step, nothing from a CDN. Charts are plain SVG drawn by our own code (DASHBOARD_CHARTS).
 */
export function dashboardPage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TokenFence — spend</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">${DASHBOARD_STYLES}</style>
</head>
<body>
<header>
  <h1>TokenFence</h1>
  <span><span id="live-dot" aria-hidden="true"></span><span id="total">…</span> <span class="muted">spent</span></span>
  <label>Range <select id="range"><option value="1h">last hour</option><option value="24h" selected>24 hours</option><option value="7d">7 days</option><option value="30d">30 days</option><option value="all">all</option></select></label>
  <label>Workflow <select id="workflow"><option value="">all workflows</option></select></label>
  <label>Tags <input id="tag-filter" placeholder="tenant=acme feature=search" size="24"></label>
  <label>By tag <input id="tag-key" placeholder="tenant" size="10"></label>
  <span id="updated" class="muted" role="status"></span>
</header>
<main>
${panel(
  'spend',
  'Spend over time',
  `<div class="toolbar"><label>Split by <select id="spend-by"><option value="agent">agent role</option><option value="model">model</option><option value="workflow">workflow</option><option value="tag">tag key (By tag)</option></select></label>
  <label>Show <select id="spend-mode"><option value="cumulative">cumulative</option><option value="interval">per interval</option></select></label>
  <span id="spend-range" class="muted"></span><button type="button" id="zoom-reset" hidden>Reset zoom</button>
  <span class="muted">drag across the chart (or click a column) to zoom</span></div>
  <svg id="spend-chart" class="chart" role="img" tabindex="0" aria-labelledby="spend-title spend-alt" height="260"></svg>
  <div id="spend-tooltip" class="tooltip" hidden></div>
  <ul id="spend-legend" class="legend" aria-label="Series"></ul>
  <p id="spend-alt" class="muted"></p>
  <details><summary>Spend as a table</summary><div id="spend-table"></div></details>`,
  true,
)}
${panel('agents', 'Cost by agent role', '<div id="agents" role="list"></div>')}
${panel(
  'runs-chart',
  'Cost per run <span class="muted" id="baseline-note"></span>',
  '<svg id="runs-chart" class="chart" role="group" aria-labelledby="runs-chart-title runs-chart-alt" height="240"></svg><p id="runs-chart-alt" class="muted"></p>',
)}
${panel('budgets', 'Budgets', '<div id="budgets"></div>')}
${panel(
  'by-tag',
  'Cost by tag <span class="muted" id="by-tag-key"></span>',
  '<table id="by-tag"><thead><tr><th>Value</th><th class="num">Runs</th><th class="num">Calls</th><th class="num">Cost</th><th class="num">Share</th><th class="num">P99/run</th></tr></thead><tbody></tbody></table>',
)}
${panel(
  'workflows',
  'Workflows',
  '<table id="workflows"><thead><tr><th>Workflow</th><th class="num">Runs</th><th class="num">Avg</th><th class="num">P50</th><th class="num">P99</th><th class="num">Max</th><th class="num">Anomalies</th><th><span class="muted">Stop</span></th></tr></thead><tbody></tbody></table>',
  true,
)}
${panel(
  'runs',
  'Runs (click or press Enter for the call tree)',
  `<table id="runs"><thead><tr>${sortable('runId', 'Run')}${sortable('workflow', 'Workflow')}${sortable('startedAt', 'Started')}${sortable('calls', 'Calls', true)}${sortable('costUsd', 'Cost', true)}${sortable('anomalies', 'Anomalies', true)}<th>Of its budget</th><th><span class="muted">Stop</span></th></tr></thead><tbody></tbody></table>
  <div class="pager"><button type="button" id="runs-prev">Previous</button><span id="runs-count" class="muted"></span><button type="button" id="runs-next">Next</button></div>`,
  true,
)}
<section class="wide" id="run-detail" aria-labelledby="run-detail-title" tabindex="-1"><h2 id="run-detail-title">Run detail</h2><div class="muted">Select a run.</div></section>
<section class="wide" aria-labelledby="live-title"><h2 id="live-title">Live</h2><ul id="live" tabindex="0" aria-label="Calls and events as they land"></ul></section>
</main>
<script nonce="${nonce}">
${DASHBOARD_CHARTS}
${DASHBOARD_SCRIPT}
</script>
</body>
</html>`;
}
