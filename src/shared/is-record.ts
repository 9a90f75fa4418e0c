/** A plain JSON object: not `null`, not an array. The first check on any parsed JSON before reading its fields. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
