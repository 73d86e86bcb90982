import { diffWords } from 'diff';

// Outputs are user content of any size; past these bounds the two sides are shown without marks.
const maxDiffedLength = 20_000;
const maxEditLength = 2_000;

export interface WordDiffSides {
  /** The baseline's output with the words the variant dropped marked. */
  before: unknown[];
  /** The variant's output with the words it added marked. */
  after: unknown[];
  diffed: boolean;
}

/** Two outputs side by side as marked-up text: removed words in `<del>` on the left, added words in `<ins>` on the right. */
export function wordDiffSides(before: string, after: string): WordDiffSides {
  const changes = before.length + after.length <= maxDiffedLength ? diffWords(before, after, { maxEditLength }) : undefined;
  if (!changes) return { before: [before], after: [after], diffed: false };
  return {
    before: changes.filter((change) => !change.added).map((change) => (change.removed ? <del>{change.value}</del> : change.value)),
    after: changes.filter((change) => !change.removed).map((change) => (change.added ? <ins>{change.value}</ins> : change.value)),
    diffed: true,
  };
}
