/**
 * The difference in pass rate a hypothesis names, as a fraction (0.1 for "10 points"), or null when it names none.
 * Only unambiguous forms count: "N points" / "N pts" / "N pp" / "N percentage points", and "from X% to Y%". A bare
 * "by 10%" could be relative or absolute, so it is not read: better no warning than a wrong one.
 * @example namedDifference('A cooler classifier raises the pass rate by 10 points') // 0.1
 */
export function namedDifference(hypothesis: string): number | null {
  const fromTo = /from\s+(\d{1,3}(?:\.\d+)?)\s*%\s+to\s+(\d{1,3}(?:\.\d+)?)\s*%/i.exec(hypothesis);
  if (fromTo) return usable(Math.abs(Number(fromTo[2]) - Number(fromTo[1])) / 100);
  const points = /(\d{1,3}(?:\.\d+)?)\s*(?:percentage[\s-]points?|points?|pts?|pp)\b/i.exec(hypothesis);
  if (points) return usable(Number(points[1]) / 100);
  return null;
}

function usable(difference: number): number | null {
  return difference > 0 && difference <= 1 ? difference : null;
}
