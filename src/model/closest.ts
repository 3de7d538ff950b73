/**
 * The candidate a mistyped name most likely meant (`admin-acess` → `admin-access`, `formt` →
 * `format`), or undefined when none is close: at most two edits (insert, delete, replace, swap of
 * neighbours), ignoring case, and fewer edits than half the name's length.
 *
 * @example
 * closestName('admin-acess', RULES.map((rule) => rule.meta.id)); // 'admin-access'
 */
export function closestName(value: string, candidates: Iterable<string>): string | undefined {
  const wanted = value.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    // Lengths further apart than the edit limit cannot be close; skipping them also bounds the work.
    if (Math.abs(candidate.length - wanted.length) > 2) continue;
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance > 2 || distance * 2 >= Math.max(wanted.length, 2)) continue;
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: Levenshtein plus the swap of two neighbouring characters. */
function editDistance(left: string, right: string): number {
  const rows = left.length + 1;
  const columns = right.length + 1;
  const table = new Array<number>(rows * columns).fill(0);
  const at = (row: number, column: number) => table[row * columns + column]!;
  for (let row = 0; row < rows; row += 1) table[row * columns] = row;
  for (let column = 0; column < columns; column += 1) table[column] = column;
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let distance = Math.min(
        at(row - 1, column) + 1,
        at(row, column - 1) + 1,
        at(row - 1, column - 1) + cost,
      );
      if (
        row > 1 &&
        column > 1 &&
        left[row - 1] === right[column - 2] &&
        left[row - 2] === right[column - 1]
      ) {
        distance = Math.min(distance, at(row - 2, column - 2) + 1);
      }
      table[row * columns + column] = distance;
    }
  }
  return at(rows - 1, columns - 1);
}
