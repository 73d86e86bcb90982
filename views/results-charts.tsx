import type { VariantResult } from '../plugin/operations/experiment-results.js';
import { cost, duration, percent, shorten } from './format.js';

// Drawn on the server as SVG: a handful of bars and points need no chart library, and the page stays script-free.
const width = 560;
const labelWidth = 170;
const valueWidth = 60;
const rowHeight = 26;
const axisHeight = 24;

const round = (value: number) => Math.round(value * 10) / 10;
const clamp = (fraction: number) => Math.min(1, Math.max(0, fraction));

const intervalText = (row: VariantResult) => (row.interval ? ` (95% interval ${percent(row.interval.low)} to ${percent(row.interval.high)})` : '');

type Rated = VariantResult & { passRate: number };
const rated = (rows: readonly VariantResult[]): Rated[] => rows.filter((row): row is Rated => row.passRate !== null);

/**
 * Every variant's pass rate as a bar with its 95% interval as a whisker, on one 0–100% axis, the baseline's rate
 * marked across all of them. The image has a title and a description that give every figure as text.
 */
export function PassRateChart({ rows }: { rows: readonly VariantResult[] }) {
  const shown = rated(rows);
  if (shown.length === 0) return null;
  const plot = width - labelWidth - valueWidth;
  const x = (fraction: number) => round(labelWidth + clamp(fraction) * plot);
  const height = shown.length * rowHeight + axisHeight;
  const baseline = shown.find((row) => row.isBaseline);
  const description = shown.map((row) => `${row.name}: ${percent(row.passRate)}${intervalText(row)}`).join('; ');
  return (
    <figure class="xp-chart" data-chart="pass-rates">
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-labelledby="chart-pass-rates-title chart-pass-rates-desc">
        <title id="chart-pass-rates-title">Pass rate of each variant with its 95% interval</title>
        <desc id="chart-pass-rates-desc">{description}.</desc>
        {[0, 0.25, 0.5, 0.75, 1].map((tick) => (
          <g class="xp-chart-grid">
            <line x1={x(tick)} x2={x(tick)} y1={0} y2={height - axisHeight} />
            <text x={x(tick)} y={height - 8} text-anchor="middle">
              {percent(tick, 0)}
            </text>
          </g>
        ))}
        {shown.map((row, index) => {
          const top = index * rowHeight;
          const middle = top + rowHeight / 2;
          return (
            <g class="xp-chart-row" data-variant-id={row.variantId}>
              <title>
                {row.name}: {percent(row.passRate)}
                {intervalText(row)}
              </title>
              <text x={labelWidth - 8} y={middle + 4} text-anchor="end" class="xp-chart-label">
                {shorten(row.name, 24)}
              </text>
              <rect class={row.isBaseline ? 'xp-chart-bar xp-chart-baseline' : 'xp-chart-bar'} x={labelWidth} y={top + 6} width={round(x(row.passRate) - labelWidth)} height={rowHeight - 12} rx={2} />
              {row.interval ? (
                <g class="xp-chart-interval">
                  <line x1={x(row.interval.low)} x2={x(row.interval.high)} y1={middle} y2={middle} />
                  <line x1={x(row.interval.low)} x2={x(row.interval.low)} y1={top + 4} y2={top + rowHeight - 4} />
                  <line x1={x(row.interval.high)} x2={x(row.interval.high)} y1={top + 4} y2={top + rowHeight - 4} />
                </g>
              ) : null}
              <text x={width - valueWidth + 6} y={middle + 4} class="xp-chart-value">
                {percent(row.passRate)}
              </text>
            </g>
          );
        })}
        {baseline ? <line class="xp-chart-reference" x1={x(baseline.passRate)} x2={x(baseline.passRate)} y1={0} y2={height - axisHeight} /> : null}
      </svg>
      <figcaption>
        Pass rates with their 95% intervals{baseline ? '; the dashed line is the baseline’s rate' : ''}. The table above has the same figures.
      </figcaption>
    </figure>
  );
}

/**
 * Mean cost of one finished test: runs with different repeats or task counts compare fairly. Null when some tests'
 * cost is unknown (a model not in the price table): the known part alone would draw the variant as cheaper than it is.
 */
export function costPerTest(row: VariantResult): number | null {
  const finished = row.passed + row.failed + row.errored + row.timedOut;
  return row.cost === null || finished === 0 || row.costUnknown > 0 ? null : row.cost / finished;
}

// A test often costs a fraction of a cent: enough digits to tell two variants apart.
function smallCost(value: number): string {
  if (value === 0) return '$0';
  if (value >= 0.01) return cost(value);
  const digits = Math.min(8, 1 - Math.floor(Math.log10(value)));
  return `$${value.toFixed(digits)}`;
}

const scatterAxes = {
  cost: { figure: costPerTest, label: 'Cost per test', format: smallCost, missing: 'No cost recorded yet: the traces carry no token counts, or their models have no price.' },
  latency: { figure: (row: VariantResult) => row.latency.p50, label: 'Latency p50', format: duration, missing: 'No latency recorded yet.' },
} as const;

const scatterHeight = 280;
const margin = { left: 56, right: 150, top: 12, bottom: 40 };

/**
 * Pass rate (with its interval) against cost per test or median latency, one point per variant: the variants up and
 * to the left do better for less.
 */
export function PassRateScatter({ rows, against }: { rows: readonly VariantResult[]; against: keyof typeof scatterAxes }) {
  const axis = scatterAxes[against];
  const points = rated(rows).flatMap((row) => {
    const value = axis.figure(row);
    return value === null ? [] : [{ row, value }];
  });
  const id = `chart-rate-${against}`;
  // Said beside the chart, so a variant left out is not taken for one that never ran.
  const unpriced = against === 'cost' ? rated(rows).filter((row) => row.costUnknown > 0) : [];
  const leftOut =
    unpriced.length > 0 ? (
      <p class="xp-muted xp-small" data-cost-left-out={unpriced.map((row) => row.variantId).join(' ')}>
        Not plotted, their cost being unknown (a model not in the price table): {unpriced.map((row) => row.name).join(', ')}.
      </p>
    ) : null;
  if (points.length === 0) {
    return (
      <div data-chart={`rate-vs-${against}`}>
        <p class="xp-muted xp-small">
          Pass rate against {axis.label.toLowerCase()}: {axis.missing}
        </p>
        {leftOut}
      </div>
    );
  }
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = scatterHeight - margin.top - margin.bottom;
  const largest = Math.max(...points.map((point) => point.value)) * 1.1 || 1;
  const x = (value: number) => round(margin.left + (value / largest) * plotWidth);
  const y = (fraction: number) => round(margin.top + (1 - clamp(fraction)) * plotHeight);
  const description = points.map(({ row, value }) => `${row.name}: ${percent(row.passRate)}${intervalText(row)} at ${axis.format(value)}`).join('; ');
  return (
    <figure class="xp-chart" data-chart={`rate-vs-${against}`}>
      <svg viewBox={`0 0 ${width} ${scatterHeight}`} width={width} height={scatterHeight} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>Pass rate against {axis.label.toLowerCase()}, one point per variant</title>
        <desc id={`${id}-desc`}>{description}.</desc>
        {[0, 0.25, 0.5, 0.75, 1].map((tick) => (
          <g class="xp-chart-grid">
            <line x1={margin.left} x2={margin.left + plotWidth} y1={y(tick)} y2={y(tick)} />
            <text x={margin.left - 6} y={y(tick) + 4} text-anchor="end">
              {percent(tick, 0)}
            </text>
          </g>
        ))}
        {[0, 0.5, 1].map((share) => (
          <text class="xp-chart-tick" x={x(share * largest)} y={scatterHeight - margin.bottom + 16} text-anchor="middle">
            {axis.format(share * largest)}
          </text>
        ))}
        <text class="xp-chart-axis" x={margin.left + plotWidth / 2} y={scatterHeight - 4} text-anchor="middle">
          {axis.label}
        </text>
        {points.map(({ row, value }) => (
          <g class="xp-chart-point" data-variant-id={row.variantId}>
            <title>
              {row.name}: {percent(row.passRate)}
              {intervalText(row)} at {axis.format(value)}
            </title>
            {row.interval ? <line class="xp-chart-interval" x1={x(value)} x2={x(value)} y1={y(row.interval.high)} y2={y(row.interval.low)} /> : null}
            <circle class={row.isBaseline ? 'xp-chart-dot xp-chart-baseline' : 'xp-chart-dot'} cx={x(value)} cy={y(row.passRate)} r={5} />
            <text x={x(value) + 8} y={y(row.passRate) + 4} class="xp-chart-label">
              {shorten(row.name, 22)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>
        Pass rate (with its 95% interval) against {axis.label.toLowerCase()}: higher and further left is better.
        {leftOut}
      </figcaption>
    </figure>
  );
}
