import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLossMask } from './loss-mask.js';
import { packInstructionBatch } from './pack-batch.js';
import { responseOnlyCrossEntropy } from './response-only-loss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('packInstructionBatch', () => {
  it('right-pads to the longest row and records prompt/total lengths', () => {
    const batch = packInstructionBatch(
      [
        { promptIds: [1, 2, 3], responseIds: [7, 8] },
        { promptIds: [4], responseIds: [9, 9, 9, 5] },
      ],
      { padId: 0 },
    );
    expect(batch.seqLen).toBe(5);
    expect(Array.from(batch.inputIds)).toEqual([1, 2, 3, 7, 8, 4, 9, 9, 9, 5]);
    expect(batch.promptLengths).toEqual([3, 1]);
    expect(batch.totalLengths).toEqual([5, 5]);
    expect(batch.truncated).toEqual([0, 0]);
  });

  it('cuts responses at maxLength (never prompts) and can pad to maxLength', () => {
    const batch = packInstructionBatch(
      [
        { promptIds: [1, 2], responseIds: [5, 6, 7, 8] },
        { promptIds: [3], responseIds: [9] },
      ],
      { padId: 0, maxLength: 4, padToMaxLength: true },
    );
    expect(Array.from(batch.inputIds)).toEqual([1, 2, 5, 6, 3, 9, 0, 0]);
    expect(batch.totalLengths).toEqual([4, 2]);
    expect(batch.truncated).toEqual([2, 0]);
  });

  it('feeds buildLossMask and the loss: only response tokens are predicted', () => {
    const batch = packInstructionBatch([{ promptIds: [1, 2], responseIds: [3] }, { promptIds: [1], responseIds: [2, 3] }], { padId: 0 });
    const ids = tf.tensor2d(batch.inputIds, [batch.batchSize, batch.seqLen], 'int32');
    const mask = buildLossMask(batch.promptLengths, batch.totalLengths, batch.seqLen);
    expect(Array.from(mask.dataSync())).toEqual([0, 0, 1, 0, 1, 1]);
    // Uniform logits over V = 4: every predicted token costs ln 4.
    const logits = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    const loss = responseOnlyCrossEntropy(logits, ids, mask);
    expect(loss.dataSync()[0]).toBeCloseTo(Math.log(4), 6);
    tf.dispose([ids, mask, logits, loss]);
  });

  it('names the bad sample', () => {
    expect(() => packInstructionBatch([{ promptIds: [1], responseIds: [] }], { padId: 0 })).toThrow(/sample 0 has an empty response/);
    expect(() => packInstructionBatch([{ promptIds: [1, 2, 3], responseIds: [4] }], { padId: 0, maxLength: 3 })).toThrow(
      /sample 0: prompt of 3 tokens leaves no room/,
    );
    expect(() => packInstructionBatch([{ promptIds: [1, -5], responseIds: [4] }], { padId: 0 })).toThrow(/sample 0 promptIds\[1\] = -5/);
    expect(() => packInstructionBatch([], { padId: 0 })).toThrow(/no samples/);
  });
});
