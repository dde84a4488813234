import { describe, expect, it } from 'vitest';
import { scalePaperLayers, selectLayers, validateLayerSet } from './layer-selection.js';

describe('selectLayers', () => {
  it("maps the paper's 3rd, 9th, 18th and last of 24 blocks to 0-based [2, 8, 17, 23]", () => {
    expect(selectLayers(24)).toEqual([2, 8, 17, 23]);
    expect(selectLayers(24, 'paper')).toEqual([2, 8, 17, 23]);
  });

  it('scales the paper set proportionally to other depths', () => {
    // depth 12: 1.5→2, 4.5→5, 9, 12 (1-based, round half up) → 0-based [1, 4, 8, 11]
    expect(scalePaperLayers(12)).toEqual([1, 4, 8, 11]);
    // depth 48: exactly double → 6, 18, 36, 48
    expect(scalePaperLayers(48)).toEqual([5, 17, 35, 47]);
    // depth 2: 0.25→1(clamped), 0.75→1, 1.5→2, 2 → unique [0, 1]
    expect(scalePaperLayers(2)).toEqual([0, 1]);
    expect(scalePaperLayers(1)).toEqual([0]);
  });

  it("'last' gives only the last block", () => {
    expect(selectLayers(12, 'last')).toEqual([11]);
  });

  it('accepts explicit 0-based and negative indices and sorts them', () => {
    expect(selectLayers(12, [-1, 3, 7])).toEqual([3, 7, 11]);
    expect(selectLayers(12, [11, 0])).toEqual([0, 11]);
  });

  it('rejects sets without the last block, duplicates, out-of-range and bad depths', () => {
    expect(() => selectLayers(12, [2, 8])).toThrow(/must contain the last block \(index 11\)/);
    expect(() => selectLayers(12, [11, -1])).toThrow(/appears twice/);
    expect(() => selectLayers(12, [12])).toThrow(/out of range/);
    expect(() => selectLayers(12, [])).toThrow(/empty/);
    expect(() => selectLayers(0)).toThrow(/depth/);
    expect(() => validateLayerSet(4, [1.5, 3])).toThrow(/out of range/);
  });
});
