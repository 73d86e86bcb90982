import { diffArrays } from 'diff';

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

/**
 * Words with the punctuation that clings to them ("you.", "(see") and the whitespace after them, as tokens. A mark never
 * begins or ends between a word and its punctuation, so no rendering or reading of the marks can show "for you . I have".
 */
const tokens = (text: string) => text.match(/\S+\s*|\s+/g) ?? [];

/** Consecutive changes of one kind, joined into one run of text. */
function chunks(changes: ReadonlyArray<{ value: string[]; added?: boolean; removed?: boolean }>) {
  return changes.map((change) => ({ text: change.value.join(''), added: change.added === true, removed: change.removed === true }));
}

/** Two outputs side by side as marked-up text: removed words in `<del>` on the left, added words in `<ins>` on the right. */
export function wordDiffSides(before: string, after: string): WordDiffSides {
  const changes =
    before.length + after.length <= maxDiffedLength ? diffArrays(tokens(before), tokens(after), { maxEditLength }) : undefined;
  if (!changes) return { before: [before], after: [after], diffed: false };
  const parts = chunks(changes);
  return {
    before: parts.filter((part) => !part.added).map((part) => (part.removed ? <del>{part.text}</del> : part.text)),
    after: parts.filter((part) => !part.removed).map((part) => (part.added ? <ins>{part.text}</ins> : part.text)),
    diffed: true,
  };
}
