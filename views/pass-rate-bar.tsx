import type { Interval } from '../plugin/domain/statistics.js';
import { percent } from './format.js';

const width = 80;
const height = 16;

/**
 * A pass rate as a bar with its 95% interval drawn as a whisker; the same figures are in the image's title for
 * screen readers, and beside it as text.
 */
export function PassRateBar({ passRate, interval }: { passRate: number; interval: Interval | null }) {
  const x = (fraction: number) => Math.round(Math.min(1, Math.max(0, fraction)) * width * 10) / 10;
  const label = interval
    ? `Pass rate ${percent(passRate)}, 95% interval ${percent(interval.low)} to ${percent(interval.high)}`
    : `Pass rate ${percent(passRate)}`;
  return (
    <svg class="xp-bar" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <title>{label}</title>
      <rect class="xp-bar-track" x={0} y={3} width={width} height={10} rx={2} />
      <rect class="xp-bar-fill" x={0} y={3} width={x(passRate)} height={10} rx={2} />
      {interval ? (
        <g class="xp-bar-interval">
          <line x1={x(interval.low)} x2={x(interval.high)} y1={8} y2={8} />
          <line x1={x(interval.low)} x2={x(interval.low)} y1={2} y2={14} />
          <line x1={x(interval.high)} x2={x(interval.high)} y1={2} y2={14} />
        </g>
      ) : null}
    </svg>
  );
}
