/**
 * The page's style sheet. Colours: the Okabe–Ito palette (distinguishable with every common colour-vision
 * deficiency), light and dark by `prefers-color-scheme`; anomalies are marked by shape as well as colour.
 */
export const DASHBOARD_STYLES = `
  :root { color-scheme: light dark; --ink: #1d2330; --muted: #5b6270; --line: #d9dce1; --panel: #fff; --page: #f4f5f7;
    --accent: #0072b2; --accent-soft: #dcebf5; --warn: #9e3700; --ok: #007a5a; --held: #e69f00; --focus: #0072b2;
    --s0: #0072b2; --s1: #e69f00; --s2: #009e73; --s3: #cc79a7; --s4: #56b4e9; --s5: #d55e00; --s6: #8a7a00; --s7: #555555; }
  @media (prefers-color-scheme: dark) {
    :root { --ink: #e6e8eb; --muted: #a3a9b3; --line: #3a3f47; --panel: #1c1f24; --page: #121417;
      --accent: #56b4e9; --accent-soft: #1e3342; --warn: #ff8a4c; --ok: #3ccfa0; --held: #e69f00; --focus: #56b4e9;
      --s0: #56b4e9; --s1: #e69f00; --s2: #009e73; --s3: #cc79a7; --s4: #0072b2; --s5: #d55e00; --s6: #f0e442; --s7: #bbbbbb; }
  }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, Segoe UI, Roboto, sans-serif; color: var(--ink); background: var(--page); }
  header { display: flex; gap: 16px; align-items: center; padding: 12px 20px; background: var(--panel); border-bottom: 1px solid var(--line); flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0 12px 0 0; }
  #total { font-weight: 600; }
  #live-dot { width: 9px; height: 9px; border-radius: 50%; background: var(--muted); display: inline-block; margin-right: 6px; }
  #live-dot.on { background: var(--ok); }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; padding: 16px 20px; }
  section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; position: relative; }
  section h2 { font-size: 14px; margin: 0 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
  .status { margin: 4px 0; color: var(--muted); }
  section[data-state="error"] .status { color: var(--warn); }
  section[data-state="loading"] .status::before { content: ''; display: inline-block; width: 10px; height: 10px; margin-right: 6px; border: 2px solid var(--muted); border-right-color: transparent; border-radius: 50%; animation: spin 1s linear infinite; vertical-align: -1px; }
  @keyframes spin { to { transform: rotate(360deg); } }
  @media (prefers-reduced-motion: reduce) { section[data-state="loading"] .status::before { animation: none; } }
  table { width: 100%; border-collapse: collapse; table-layout: auto; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { color: var(--muted); font-weight: 500; }
  th button.sort { border: 0; color: inherit; background: none; padding: 0; font-weight: 500; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .clip { display: inline-block; max-width: 22ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
  tr[data-run-id] { cursor: pointer; }
  tr[data-run-id]:hover, tr.selected { background: var(--accent-soft); }
  :focus-visible { outline: 2px solid var(--focus); outline-offset: 1px; }
  .agent-row { display: grid; grid-template-columns: minmax(0, 30%) minmax(30px, 1fr) minmax(0, 52%); gap: 8px; align-items: center; margin: 3px 0; }
  .agent-row .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .agent-row .figures { font-size: 12px; font-variant-numeric: tabular-nums; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; text-align: right; }
  .bar { fill: var(--accent); }
  .bar-bg { fill: var(--accent-soft); }
  .reserved { fill: var(--held); }
  svg.chart { display: block; width: 100%; overflow: visible; user-select: none; }
  svg.chart text { font-size: 11px; fill: var(--muted); }
  svg.chart .axis line, svg.chart .grid line { stroke: var(--line); }
  svg.chart .axis path { stroke: var(--muted); }
  .point { fill: var(--accent); fill-opacity: .75; }
  .point.anomaly { fill: var(--warn); fill-opacity: 1; stroke: var(--ink); stroke-width: 1.5; }
  a:focus-visible .point { stroke: var(--focus); stroke-width: 3; }
  line.p50 { stroke: var(--ok); stroke-dasharray: 5 3; stroke-width: 1.5; }
  line.p99 { stroke: var(--warn); stroke-dasharray: 5 3; stroke-width: 1.5; }
  text.p50 { fill: var(--ok) !important; } text.p99 { fill: var(--warn) !important; }
  line.budget { stroke: var(--warn); stroke-width: 2; stroke-dasharray: 8 4; }
  text.budget { fill: var(--warn) !important; font-weight: 600; }
  rect.selection { fill: var(--accent); fill-opacity: .15; stroke: var(--accent); }
  rect.hit { fill: transparent; }
  rect.hit.on { fill: var(--ink); fill-opacity: .06; }
  .s0 { fill: var(--s0); } .s1 { fill: var(--s1); } .s2 { fill: var(--s2); } .s3 { fill: var(--s3); }
  .s4 { fill: var(--s4); } .s5 { fill: var(--s5); } .s6 { fill: var(--s6); } .s7 { fill: var(--s7); }
  .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0 0; padding: 0; list-style: none; }
  .legend li { display: inline-flex; align-items: center; gap: 5px; max-width: 16rem; }
  .legend .swatch { width: 11px; height: 11px; border-radius: 2px; flex: none; }
  .legend .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .tooltip { position: absolute; pointer-events: none; background: var(--panel); color: var(--ink); border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; font-size: 12px; box-shadow: 0 2px 8px rgba(0,0,0,.18); white-space: nowrap; z-index: 2; font-variant-numeric: tabular-nums; }
  .tooltip[hidden] { display: none; }
  .toolbar { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin-bottom: 6px; }
  button { font: inherit; border: 1px solid var(--line); color: var(--ink); background: var(--panel); border-radius: 4px; padding: 2px 8px; cursor: pointer; }
  button.kill { border-color: var(--warn); color: var(--warn); }
  button:disabled { color: var(--muted); cursor: not-allowed; }
  input, select { font: inherit; color: var(--ink); background: var(--panel); border: 1px solid var(--line); border-radius: 4px; }
  #live { list-style: none; margin: 0; padding: 0; max-height: 260px; overflow: auto; font-family: ui-monospace, monospace; font-size: 12px; }
  #live li { padding: 2px 0; border-bottom: 1px dotted var(--line); }
  .muted { color: var(--muted); }
  .tag { display: inline-block; padding: 0 5px; border-radius: 3px; border: 1px solid var(--warn); color: var(--warn); font-size: 11px; }
  .wide { grid-column: 1 / -1; }
  details summary { cursor: pointer; color: var(--muted); margin-top: 6px; }
  .pager { display: flex; gap: 10px; align-items: center; margin-top: 6px; }
`;
