import { cost } from './format.js';
import type { ViewPaths } from './view-paths.js';

/** A cost as the results pipeline gives it: the sum of the known costs, how many tests' cost is unknown, and why. */
export interface CostFigures {
  cost: number | null;
  costUnknown: number;
  costNotes: readonly string[];
}

// A note names the model the price table lacks as "unknown model X" (plugin/domain/usage-cost.ts); one note may hold
// several reasons joined by "; ".
const unknownModel = /unknown model (.+?)(?=; |$)/g;

/** The models a cost's notes say the price table does not know, each once. */
export const unknownModels = (notes: readonly string[]): string[] => [
  ...new Set(notes.flatMap((note) => [...note.matchAll(unknownModel)].map((match) => match[1]!))),
];

/** The notes that are not about an unknown model (e.g. tokens not split into input and output), each once. */
const otherReasons = (notes: readonly string[]) => [
  ...new Set(notes.flatMap((note) => note.split('; ')).filter((reason) => !reason.startsWith('unknown model '))),
];

/**
 * A cost that says when it is unknown instead of reading as zero or a bare dash: "unknown — model X not in the price
 * table" with a link to the Model prices page with X filled in; "≥ $x" when only some tests could be priced.
 */
export function CostFigure({ figures, paths }: { figures: CostFigures; paths: ViewPaths }) {
  if (figures.costUnknown === 0) return <>{cost(figures.cost)}</>;
  const models = unknownModels(figures.costNotes);
  const others = otherReasons(figures.costNotes);
  const tests = `${figures.costUnknown} ${figures.costUnknown === 1 ? 'test' : 'tests'}`;
  return (
    <span class="xp-cost-unknown" data-cost-unknown={figures.costUnknown}>
      <strong>{figures.cost === null ? 'unknown' : `≥ ${cost(figures.cost)}`}</strong>
      <span class="xp-small xp-muted">
        {' — '}
        {figures.cost === null ? '' : `${tests} unknown: `}
        {models.map((model, index) => (
          <>
            {index > 0 ? '; ' : ''}model <code>{model}</code> not in the price table (
            <a href={paths.modelPrices({ model })}>
              add its price<span class="xp-visually-hidden"> for {model}</span>
            </a>
            )
          </>
        ))}
        {others.length > 0 ? `${models.length > 0 ? '; ' : ''}${others.join('; ')}` : null}
        {models.length === 0 && others.length === 0 ? 'the traces do not say why' : null}
      </span>
    </span>
  );
}
