/** Bit flags of the compact catalog: one per IAM access level, plus resource-level support. */
export const ACCESS_LEVEL_BITS = {
  List: 1,
  Read: 2,
  Write: 4,
  'Permissions management': 8,
  Tagging: 16,
} as const;

export const SCOPABLE_BIT = 32;

export type AccessLevel = keyof typeof ACCESS_LEVEL_BITS;
