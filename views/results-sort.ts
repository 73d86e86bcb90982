import type { VariantResult } from '../plugin/operations/experiment-results.js';

/** The results table's sortable columns, each with the figure it sorts by (null sorts last either way). */
export const resultsSortKeys = {
  name: (row: VariantResult) => row.name.toLowerCase(),
  passRate: (row: VariantResult) => row.passRate,
  change: (row: VariantResult) => row.vsBaseline?.points ?? null,
  latency: (row: VariantResult) => row.latency.p50,
  tokens: (row: VariantResult) => row.tokens.total,
  cost: (row: VariantResult) => row.cost,
  completed: (row: VariantResult) => row.completedAt?.getTime() ?? null,
} as const;

export type ResultsSortKey = keyof typeof resultsSortKeys;

/** A column and a direction; the table keeps the tree's order without one. */
export interface ResultsSort {
  key: ResultsSortKey;
  descending: boolean;
}

/**
 * Reads `?sort=cost` (ascending) or `?sort=-cost` (descending); anything else means the tree's order.
 * @example parseResultsSort('-passRate') // { key: 'passRate', descending: true }
 */
export function parseResultsSort(value: string | null | undefined): ResultsSort | null {
  if (!value) return null;
  const descending = value.startsWith('-');
  const key = descending ? value.slice(1) : value;
  return Object.hasOwn(resultsSortKeys, key) ? { key: key as ResultsSortKey, descending } : null;
}

/** The query value of a sort, as `parseResultsSort` reads it. */
export const sortParameter = (sort: ResultsSort): string => `${sort.descending ? '-' : ''}${sort.key}`;

/** The rows in the sort's order; ties and missing figures keep the tree's order, missing figures last. */
export function sortResults(rows: readonly VariantResult[], sort: ResultsSort | null): VariantResult[] {
  if (!sort) return [...rows];
  const figure = resultsSortKeys[sort.key];
  return rows
    .map((row, index) => ({ row, index, value: figure(row) }))
    .sort((x, y) => {
      if (x.value === null || y.value === null) return x.value === y.value ? x.index - y.index : x.value === null ? 1 : -1;
      const order = x.value < y.value ? -1 : x.value > y.value ? 1 : 0;
      return (sort.descending ? -order : order) || x.index - y.index;
    })
    .map((entry) => entry.row);
}
