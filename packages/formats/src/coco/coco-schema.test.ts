import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cocoAnnotationSchema, isPlainCocoAnnotation } from './coco-schema.js';

const anyValue = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, 1, -0, 2, 2 ** 53, -(2 ** 53) + 1, 1.5, Infinity, NaN, null, '1', true), fc.constant(undefined));
const annotation = fc.record(
  {
    id: anyValue,
    image_id: anyValue,
    category_id: anyValue,
    bbox: fc.oneof(fc.array(anyValue, { minLength: 3, maxLength: 5 }), fc.array(fc.double({ min: -5, max: 100 }), { minLength: 4, maxLength: 4 }), anyValue),
    area: anyValue,
    iscrowd: anyValue,
    ignore: anyValue,
    segmentation: fc.constant([[1, 2, 3]]),
  },
  { requiredKeys: [] },
);

describe('isPlainCocoAnnotation (the zod-free fast path)', () => {
  it('is true only where cocoAnnotationSchema accepts, and true for the common shape', () => {
    fc.assert(
      fc.property(annotation, (a) => {
        if (isPlainCocoAnnotation(a)) expect(cocoAnnotationSchema().safeParse(a).success).toBe(true);
      }),
      { numRuns: 2000, seed: 3 },
    );
    expect(isPlainCocoAnnotation({ id: 1, image_id: 2, category_id: 3, bbox: [0, 0, 5, 5], area: 25, iscrowd: 0, segmentation: [] })).toBe(true);
    expect(isPlainCocoAnnotation({ id: 1, image_id: 2, category_id: 3, bbox: [0, 0, -5, 5] })).toBe(false);
    expect(isPlainCocoAnnotation({ id: 2 ** 53, image_id: 2, category_id: 3, bbox: [0, 0, 5, 5] })).toBe(false);
  });
});
