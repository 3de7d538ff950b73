/**
 * IAM wildcard matching (`*` any run of characters, `?` one character). It runs in O(pattern ×
 * value) at worst with no backtracking explosion, so hostile patterns such as `*?*?*?…` cannot hang
 * the audit the way a naively built regular expression could.
 */
export function matchesWildcard(pattern: string, value: string): boolean {
  let patternIndex = 0;
  let valueIndex = 0;
  let starIndex = -1;
  let resumeIndex = 0;
  while (valueIndex < value.length) {
    const patternChar = pattern.charCodeAt(patternIndex);
    if (
      patternIndex < pattern.length &&
      (patternChar === 63 /* ? */ || patternChar === value.charCodeAt(valueIndex))
    ) {
      patternIndex += 1;
      valueIndex += 1;
    } else if (patternIndex < pattern.length && patternChar === 42 /* * */) {
      starIndex = patternIndex;
      resumeIndex = valueIndex;
      patternIndex += 1;
    } else if (starIndex >= 0) {
      patternIndex = starIndex + 1;
      resumeIndex += 1;
      valueIndex = resumeIndex;
    } else {
      return false;
    }
  }
  while (patternIndex < pattern.length && pattern.charCodeAt(patternIndex) === 42) patternIndex += 1;
  return patternIndex === pattern.length;
}

/** True when the text contains an IAM wildcard character. */
export function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}
