/** A JSON column read back: `null` when empty or not valid JSON (a row written by hand, or cut short). */
export function parseJson<T>(text: string | null): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
