/** Reading JSON of unknown shape (node outputs, run-folder files): the one record test. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
