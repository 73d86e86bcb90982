/** The tab's stylesheet; it builds on the host's colour variables and falls back to its own. */
export const experimentsCss = `
.xp {
  --xp-fg: var(--fg, #1f2328);
  --xp-muted: var(--muted, #59636e);
  --xp-line: var(--line, #d1d9e0);
  --xp-panel: var(--panel, #f6f8fa);
  --xp-accent: var(--accent, #0b63ce);
  --xp-ok: var(--ok, #1a7f37);
  --xp-bad: var(--error, #cf222e);
  --xp-warn: #9a6700;
  --xp-info: var(--accent, #0b63ce);
  color: var(--xp-fg);
}
@media (prefers-color-scheme: dark) {
  .xp { --xp-warn: #d29922; }
}
.xp h1 { margin: 0 0 0.5rem; }
.xp h2 { margin: 1.75rem 0 0.6rem; }
.xp a:focus-visible, .xp button:focus-visible, .xp input:focus-visible, .xp select:focus-visible,
.xp textarea:focus-visible, .xp summary:focus-visible, .xp pre:focus-visible {
  outline: 3px solid var(--xp-accent);
  outline-offset: 2px;
}
.xp-visually-hidden {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;
}
.xp-muted { color: var(--xp-muted); }
.xp-small { font-size: 0.85rem; }
.xp-nowrap { white-space: nowrap; }
.xp-breadcrumb { margin: 0 0 0.25rem; font-size: 0.9rem; color: var(--xp-muted); }
.xp-page-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.5rem 1rem; margin-bottom: 0.5rem; }
.xp-page-head h1 { margin: 0; }
.xp-status-line { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem; margin: 0; }
.xp-hypothesis { border-left: 3px solid var(--xp-accent); padding: 0.25rem 0 0.25rem 0.75rem; margin: 0.75rem 0; max-width: 70ch; white-space: pre-line; }
.xp-notice { background: var(--xp-panel); border: 1px solid var(--xp-line); border-radius: 6px; padding: 0.6rem 0.9rem; }
.xp-panel { border: 1px solid var(--xp-line); border-radius: 8px; padding: 1rem 1.25rem; background: var(--bg, transparent); }
.xp-panel > h2:first-child { margin-top: 0; }
.xp-empty { background: var(--xp-panel); border: 1px dashed var(--xp-line); border-radius: 8px; padding: 1rem 1.25rem; max-width: 75ch; }
.xp-empty h2 { margin-top: 0; }
.xp-hint { color: var(--xp-muted); font-size: 0.875rem; margin: 0.25rem 0; max-width: 80ch; }

/* Buttons and links that act like them */
.xp-button, .xp button {
  display: inline-block; padding: 0.35rem 0.9rem; border: 1px solid var(--xp-line); border-radius: 6px;
  background: var(--bg, #fff); color: var(--xp-fg); font: inherit; line-height: 1.4; cursor: pointer; text-decoration: none;
}
.xp-button:hover, .xp button:hover { border-color: var(--xp-accent); text-decoration: none; }
.xp-button-primary, .xp button.xp-button-primary { background: var(--xp-accent); border-color: var(--xp-accent); color: #fff; }
.xp-button-danger, .xp button.xp-button-danger { color: var(--xp-bad); border-color: var(--xp-bad); }
.xp-button-small, .xp button.xp-button-small { padding: 0.15rem 0.6rem; font-size: 0.85rem; }
.xp button[disabled] { opacity: 0.55; cursor: not-allowed; }
.xp-actions { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; margin: 0.75rem 0; }
.xp-actions form { margin: 0; }
.xp-actions-split { justify-content: space-between; }

/* Badges */
.xp-badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.xp-badge-ok { color: var(--xp-ok); }
.xp-badge-bad { color: var(--xp-bad); }
.xp-badge-warn { color: var(--xp-warn); }
.xp-badge-info { color: var(--xp-info); }
.xp-badge-muted { color: var(--xp-muted); }
.xp-lock { font-size: 0.85rem; color: var(--xp-muted); margin-left: 0.35rem; }
.xp-lock::before { content: ''; display: inline-block; width: 0.55rem; height: 0.45rem; margin-right: 0.3rem; border: 2px solid currentColor; border-radius: 2px; vertical-align: -0.05rem; }

/* Messages */
.xp-flash:empty { display: none; }
.xp-flash-message { margin: 0 0 1rem; padding: 0.6rem 0.9rem; border-radius: 6px; border: 1px solid; }
.xp-flash-error { border-color: var(--xp-bad); color: var(--xp-bad); background: color-mix(in srgb, var(--xp-bad) 8%, transparent); }
.xp-flash-ok { border-color: var(--xp-ok); color: var(--xp-ok); background: color-mix(in srgb, var(--xp-ok) 8%, transparent); }

/* Filters */
.xp-filter { display: flex; gap: 0.25rem; margin: 0.75rem 0; flex-wrap: wrap; }
.xp-filter a { padding: 0.25rem 0.75rem; border: 1px solid var(--xp-line); border-radius: 999px; color: var(--xp-fg); }
.xp-filter a[aria-current='page'] { background: var(--xp-accent); border-color: var(--xp-accent); color: #fff; }

/* Tables */
.xp-scroll { overflow-x: auto; }
.xp-table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
.xp-table th, .xp-table td { text-align: left; vertical-align: top; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--xp-line); }
.xp-table thead th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; color: var(--xp-muted); font-weight: 600; }
.xp-table tbody th { font-weight: 600; }
.xp-num { text-align: right !important; font-variant-numeric: tabular-nums; }
.xp-results td, .xp-results th { font-size: 0.86rem; padding: 0.4rem 0.45rem; }
.xp-results thead th { font-size: 0.72rem; }
.xp-rate { display: flex; align-items: center; gap: 0.5rem; white-space: nowrap; }
.xp-change { font-size: 0.85rem; background: var(--xp-panel); padding: 0.05rem 0.35rem; border-radius: 4px; }
.xp-compare th[scope='row'] { width: 14rem; }

/* Pass-rate bar */
.xp-bar { flex: none; }
.xp-bar-track { fill: var(--xp-line); }
.xp-bar-fill { fill: var(--xp-accent); opacity: 0.75; }
.xp-bar-interval line { stroke: var(--xp-fg); stroke-width: 1.5; }

/* Results: sorting, per-step figures, charts */
.xp-sort { color: inherit; text-decoration: none; }
.xp-sort:hover, .xp-sort:focus-visible { text-decoration: underline; }
.xp-changes { list-style: none; margin: 0.15rem 0; padding: 0; display: grid; gap: 0.15rem; }
.xp-tests-cell { min-width: 9rem; }
.xp-stop-row td { padding-top: 0; color: var(--xp-muted); }
.xp-results tr:has(+ .xp-stop-row) > * { border-bottom: none; }
.xp-cost-unknown { display: inline-block; max-width: 14rem; text-align: left; }
.xp-steps h3 { margin: 1rem 0 0.25rem; font-size: 1rem; }
.xp-step-table th, .xp-step-table td { font-size: 0.85rem; padding: 0.25rem 0.5rem; }
.xp-charts { display: flex; flex-wrap: wrap; gap: 1rem 2rem; margin: 1rem 0; }
.xp-chart { margin: 0; max-width: 100%; }
.xp-chart svg { max-width: 100%; height: auto; font-size: 11px; }
.xp-chart figcaption { color: var(--xp-muted); font-size: 0.85rem; max-width: 560px; }
.xp-chart text { fill: var(--xp-fg); }
.xp-chart-grid line { stroke: var(--xp-line); }
.xp-chart-grid text, .xp-chart-tick, .xp-chart-axis { fill: var(--xp-muted) !important; }
.xp-chart-bar { fill: var(--xp-accent); opacity: 0.7; }
.xp-chart-dot { fill: var(--xp-accent); }
.xp-chart-baseline { fill: var(--xp-muted); }
.xp-chart-interval line, line.xp-chart-interval { stroke: var(--xp-fg); stroke-width: 1.5; }
.xp-chart-reference { stroke: var(--xp-fg); stroke-dasharray: 4 3; }
.xp-matrix td, .xp-matrix th { text-align: center; }
.xp-checklist-inline { display: flex; flex-wrap: wrap; gap: 0 1.25rem; }
.xp-compare-form { margin: 0.5rem 0 1rem; }
.xp-matrix tbody th { text-align: left; }

/* Forms */
.xp-form { max-width: 60rem; }
.xp-field { display: flex; flex-direction: column; gap: 0.2rem; margin: 0 0 0.9rem; }
.xp-field label, .xp legend { font-weight: 600; }
.xp input[type='text'], .xp input[type='number'], .xp input[type='search'], .xp select, .xp textarea {
  font: inherit; padding: 0.35rem 0.55rem; border: 1px solid var(--xp-line); border-radius: 6px;
  background: var(--bg, #fff); color: var(--xp-fg); max-width: 100%;
}
.xp textarea { width: 100%; }
.xp-field-invalid input, .xp-field-invalid select, .xp-field-invalid textarea { border-color: var(--xp-bad); }
.xp-field-error { color: var(--xp-bad); font-size: 0.875rem; margin: 0.15rem 0; }
.xp-field-error::before { content: '⚠ '; }
.xp fieldset { border: 1px solid var(--xp-line); border-radius: 8px; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.xp fieldset.xp-field-invalid { border-color: var(--xp-bad); }
.xp-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: 0 1rem; }
.xp-grid-wide { grid-column: 1 / -1; }
.xp-inline-form { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 0.5rem 0.75rem; margin: 0.5rem 0 1rem; }
.xp-inline-form .xp-field { margin: 0; }
.xp-inline-form > label { align-self: center; font-weight: 600; }
.xp-checklist { list-style: none; padding: 0; margin: 0.5rem 0 0; }
.xp-checklist li { display: flex; align-items: baseline; gap: 0.5rem; padding: 0.25rem 0; }
.xp-task-table td:first-child { width: 2rem; }
.xp-count { font-size: 1rem; margin: 0.5rem 0; }

/* Set-up steps */
.xp-stepper { display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; list-style: none; padding: 0; margin: 0.5rem 0 1.25rem; font-size: 0.92rem; }
.xp-stepper li { color: var(--xp-muted); }
.xp-stepper .xp-step-current { color: var(--xp-fg); font-weight: 700; }
.xp-step-number { display: inline-grid; place-items: center; width: 1.4rem; height: 1.4rem; border-radius: 50%; border: 1px solid currentColor; font-size: 0.8rem; margin-right: 0.2rem; }
.xp-step-current .xp-step-number { background: var(--xp-accent); border-color: var(--xp-accent); color: #fff; }
.xp-step-done .xp-step-number { background: var(--xp-panel); }
.xp-step-config legend code { font-weight: 400; }

/* Variant tree */
.xp-tree, .xp-tree ul { list-style: none; margin: 0; padding: 0; }
.xp-tree ul { margin-left: 1.1rem; padding-left: 1rem; border-left: 2px solid var(--xp-line); }
.xp-node { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem 1rem; padding: 0.55rem 0.75rem; margin: 0.4rem 0; border: 1px solid var(--xp-line); border-radius: 8px; background: var(--xp-panel); }
.xp-node-name { font-weight: 700; }
.xp-node-main p { margin: 0.25rem 0 0; }
.xp-node-actions { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 0.4rem; }
.xp-run-form { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 0.4rem; margin: 0; }
.xp-run-form details { font-size: 0.85rem; }
.xp-run-form details[open] { flex-basis: 100%; background: var(--bg, #fff); border: 1px solid var(--xp-line); border-radius: 6px; padding: 0.5rem; }
.xp-run-form summary { cursor: pointer; color: var(--xp-accent); padding: 0.15rem 0; }

/* Progress */
.xp-progress { border: 1px solid var(--xp-line); border-radius: 8px; padding: 0.75rem 1rem; margin: 1rem 0; }
.xp-progress-head { display: flex; align-items: center; gap: 0.6rem; }
.xp-progress-title { margin: 0; font-size: 1rem; text-transform: none; letter-spacing: 0; color: var(--xp-fg); }
.xp-progress progress { width: 100%; height: 0.9rem; margin: 0.5rem 0 0.25rem; accent-color: var(--xp-accent); }
.xp-progress p { margin: 0.25rem 0; }

/* Task breakdown */
.xp-test { border: 1px solid var(--xp-line); border-radius: 8px; padding: 0.75rem 1rem; margin: 0.9rem 0; }
.xp-test-head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 0.5rem; }
.xp-test-head h2 { margin: 0; font-size: 1.05rem; }
.xp-sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
.xp-output h3 { margin: 0.5rem 0 0.25rem; }
.xp-output pre, .xp-code { background: var(--xp-panel); border: 1px solid var(--xp-line); border-radius: 6px; padding: 0.6rem 0.75rem; max-height: 22rem; overflow: auto; white-space: pre-wrap; word-break: break-word; margin: 0; }
.xp del { background: color-mix(in srgb, var(--xp-bad) 18%, transparent); color: inherit; text-decoration: line-through; }
.xp ins { background: color-mix(in srgb, var(--xp-ok) 20%, transparent); color: inherit; text-decoration: underline; }
.xp-evaluations { font-size: 0.9rem; }
.xp-history { margin-top: 2rem; color: var(--xp-muted); font-size: 0.9rem; }
.xp-history summary { cursor: pointer; }
.xp-page-list { display: flex; flex-wrap: wrap; align-items: center; gap: 0.35rem; list-style: none; padding: 0; margin: 0.5rem 0; }
.xp-page-list a[aria-current='page'] { background: var(--xp-accent); border-color: var(--xp-accent); color: #fff; }
.xp-payload { margin: 0.5rem 0; }
.xp-payload summary, .xp-queue summary { cursor: pointer; }
.xp-queue { border: 1px solid var(--xp-line); border-radius: 6px; padding: 0.5rem 0.75rem; margin: 0.75rem 0; }
.xp-queue h3 { margin: 0 0 0.25rem; font-size: 1rem; }
.xp-badge-queued { color: var(--xp-accent); }
.xp-node-form { display: inline; margin: 0; }
/* Links inside running text are underlined: colour alone does not tell them apart (WCAG 1.4.1). */
.xp-test p a, .xp-hint a, .xp-notice a { text-decoration: underline; }
`;
