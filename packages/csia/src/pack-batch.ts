// Batching of instruction samples for response-only training: each sample is its prompt
// (image placeholder tokens + instruction, already tokenised with the chat template) followed by
// its response; sequences are right-padded to a common length, and the prompt / total lengths
// that buildLossMask needs are recorded alongside.
import { CsiaInputError } from './errors.js';

export interface InstructionSample {
  /** Conditioning tokens: image placeholders and the instruction. Never supervised. */
  promptIds: readonly number[];
  /** Tokens the LM must produce (including the end-of-turn token, if the template has one). */
  responseIds: readonly number[];
}

export interface PackOptions {
  /** Token id written after each sequence's end. */
  padId: number;
  /** Longest allowed sequence; longer responses are cut at the end (the prompt never is). */
  maxLength?: number;
  /** Pad every row to maxLength instead of to the longest row (fixed shapes across steps). */
  padToMaxLength?: boolean;
}

export interface PackedBatch {
  /** [B·T] row-major token ids, int32, ready for tf.tensor2d(inputIds, [B, T], 'int32'). */
  inputIds: Int32Array;
  batchSize: number;
  seqLen: number;
  promptLengths: number[];
  totalLengths: number[];
  /** Response tokens dropped by maxLength, per sample. */
  truncated: number[];
}

function checkIds(ids: readonly number[], sample: number, field: string): void {
  ids.forEach((id, j) => {
    if (!Number.isInteger(id) || id < 0) throw new CsiaInputError(`sample ${sample} ${field}[${j}] = ${id} is not a token id`);
  });
}

/** Packs samples into one right-padded batch; see `buildLossMask(promptLengths, totalLengths, seqLen)`. */
export function packInstructionBatch(samples: readonly InstructionSample[], opts: PackOptions): PackedBatch {
  if (samples.length === 0) throw new CsiaInputError('packInstructionBatch: no samples');
  const maxLength = opts.maxLength ?? Number.POSITIVE_INFINITY;
  if (opts.padToMaxLength && !Number.isFinite(maxLength)) throw new CsiaInputError('padToMaxLength needs maxLength');
  if (!Number.isInteger(opts.padId) || opts.padId < 0) throw new CsiaInputError(`padId ${opts.padId} is not a token id`);
  const promptLengths: number[] = [];
  const totalLengths: number[] = [];
  const truncated: number[] = [];
  samples.forEach((s, i) => {
    checkIds(s.promptIds, i, 'promptIds');
    checkIds(s.responseIds, i, 'responseIds');
    if (s.responseIds.length === 0) throw new CsiaInputError(`sample ${i} has an empty response: nothing to learn from`);
    // At least one response token must survive, or the sample only costs compute.
    if (s.promptIds.length + 1 > maxLength) {
      throw new CsiaInputError(`sample ${i}: prompt of ${s.promptIds.length} tokens leaves no room for a response within maxLength ${maxLength}`);
    }
    const total = Math.min(s.promptIds.length + s.responseIds.length, maxLength);
    promptLengths.push(s.promptIds.length);
    totalLengths.push(total);
    truncated.push(s.promptIds.length + s.responseIds.length - total);
  });
  const seqLen = opts.padToMaxLength ? maxLength : Math.max(...totalLengths);
  const inputIds = new Int32Array(samples.length * seqLen).fill(opts.padId);
  samples.forEach((s, i) => {
    inputIds.set(s.promptIds, i * seqLen);
    inputIds.set(s.responseIds.slice(0, totalLengths[i] - promptLengths[i]), i * seqLen + promptLengths[i]);
  });
  return { inputIds, batchSize: samples.length, seqLen, promptLengths, totalLengths, truncated };
}
