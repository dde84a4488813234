import { MetricsInputError } from '../errors.js';

/**
 * Checks a user-given class list (`--classes`, `classes` option): names must be non-empty and
 * distinct. A repeated name would leave a ghost class with no GT and no detections, which
 * the `dota` protocol (mean over the whole class list) counts as AP 0.
 */
export function checkClassList(classes: readonly string[], where: string): void {
  const seen = new Map<string, number>();
  classes.forEach((name, i) => {
    if (typeof name !== 'string' || name === '') throw new MetricsInputError(`${where}[${i}]`, 'class name must be a non-empty string');
    const first = seen.get(name);
    if (first !== undefined) throw new MetricsInputError(`${where}[${i}]`, `duplicate class "${name}" (also at [${first}])`);
    seen.set(name, i);
  });
}
