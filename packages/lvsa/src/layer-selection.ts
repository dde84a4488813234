// Which ViT blocks feed LVSA. The paper taps the 3rd, 9th, 18th and last of 24 blocks; the set
// S must always contain the last block L, because α(t) = 0 has to reproduce "last layer only".
import { LvsaConfigError } from './errors.js';

/** The paper's layer set, 1-based block numbers of a 24-block ViT (InternViT-300M). */
export const PAPER_LAYERS_ONE_BASED: readonly number[] = [3, 9, 18, 24];
export const PAPER_DEPTH = 24;

/**
 * - `'paper'`: the paper's set, scaled proportionally to `depth` (block l of 24 → round(l·depth/24)).
 * - `'last'`: only the last block.
 * - `number[]`: 0-based block indices; negative values count from the end (-1 = last block).
 */
export type LayerSpec = 'paper' | 'last' | readonly number[];

function checkDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < 1) {
    throw new LvsaConfigError(`ViT depth must be an integer >= 1, got ${depth}`);
  }
}

/** The paper's set scaled to another depth; 0-based, sorted, unique, always ending at depth − 1. */
export function scalePaperLayers(depth: number): number[] {
  checkDepth(depth);
  // Round half up on the 1-based block number, keep at least block 1, then drop duplicates
  // that appear for shallow models (depth < 4 collapses several paper layers together).
  const oneBased = PAPER_LAYERS_ONE_BASED.map((l) => Math.max(1, Math.floor((l * depth) / PAPER_DEPTH + 0.5)));
  return [...new Set(oneBased.map((l) => l - 1))].sort((a, b) => a - b);
}

/** Throws unless `indices` are unique, in range, and include the last block. */
export function validateLayerSet(depth: number, indices: readonly number[]): void {
  checkDepth(depth);
  if (indices.length === 0) throw new LvsaConfigError('LVSA layer set is empty; it must contain at least the last block');
  const seen = new Set<number>();
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= depth) {
      throw new LvsaConfigError(`LVSA layer index ${i} is out of range for a ViT of depth ${depth} (valid: 0..${depth - 1})`);
    }
    if (seen.has(i)) throw new LvsaConfigError(`LVSA layer index ${i} appears twice`);
    seen.add(i);
  }
  if (!seen.has(depth - 1)) {
    throw new LvsaConfigError(`LVSA layer set [${indices.join(', ')}] must contain the last block (index ${depth - 1})`);
  }
}

/** Resolves a layer spec to sorted 0-based block indices (last block last). */
export function selectLayers(depth: number, spec: LayerSpec = 'paper'): number[] {
  checkDepth(depth);
  if (spec === 'paper') return scalePaperLayers(depth);
  if (spec === 'last') return [depth - 1];
  if (!Array.isArray(spec)) {
    throw new LvsaConfigError(`LVSA layer spec must be 'paper', 'last' or an array of indices, got ${JSON.stringify(spec)}`);
  }
  const resolved = spec.map((i) => (Number.isInteger(i) && i < 0 ? depth + i : i));
  validateLayerSet(depth, resolved);
  return [...resolved].sort((a, b) => a - b);
}
