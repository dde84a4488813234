import { describe, expect, it } from 'vitest';
import { BoxesError, convertHbb } from './index.js';

describe('convertHbb', () => {
  const xyxy = [10, 20, 40, 60, 0, 0, 1, 1];
  const xywh = [10, 20, 30, 40, 0, 0, 1, 1];
  const cxcywh = [25, 40, 30, 40, 0.5, 0.5, 1, 1];

  it('converts between all layouts (hand values)', () => {
    expect(Array.from(convertHbb(xyxy, 'xyxy', 'xywh'))).toEqual(xywh);
    expect(Array.from(convertHbb(xyxy, 'xyxy', 'cxcywh'))).toEqual(cxcywh);
    expect(Array.from(convertHbb(xywh, 'xywh', 'xyxy'))).toEqual(xyxy);
    expect(Array.from(convertHbb(xywh, 'xywh', 'cxcywh'))).toEqual(cxcywh);
    expect(Array.from(convertHbb(cxcywh, 'cxcywh', 'xyxy'))).toEqual(xyxy);
    expect(Array.from(convertHbb(cxcywh, 'cxcywh', 'xywh'))).toEqual(xywh);
  });

  it('identity is an exact copy as Float64Array', () => {
    const src = new Float32Array([0.1, 0.2, 0.3, 0.4]);
    const out = convertHbb(src, 'xywh', 'xywh');
    expect(out).toBeInstanceOf(Float64Array);
    expect(Array.from(out)).toEqual(Array.from(src));
  });

  it('handles empty input and rejects bad shapes and formats', () => {
    expect(convertHbb([], 'xyxy', 'xywh').length).toBe(0);
    expect(() => convertHbb([1, 2, 3], 'xyxy', 'xywh')).toThrow(/boxes has length 3.*multiple of 4/);
    expect(() => convertHbb([1, 2, NaN, 4], 'xyxy', 'xywh')).toThrow(/boxes\[0\]\[2\] is NaN/);
    expect(() => convertHbb([1, 2, 3, 4], 'xyxy', 'yxyx' as never)).toThrow(BoxesError);
  });
});
