// @babelrs/csia: Concept-Shared Instruction Aligning (BabelRS stage 1). Available now: the
// projector's pixel shuffle, batch packing of tokenised samples and the response-only LM loss.
// Tokenizer, chat template, LM, projector MLP and the pretraining step are planned (README).
export { CsiaInputError } from './errors.js';
export { pixelShuffle } from './pixel-shuffle.js';
export { buildLossMask } from './loss-mask.js';
export { responseOnlyCrossEntropy } from './response-only-loss.js';
export { packInstructionBatch } from './pack-batch.js';
export type { InstructionSample, PackOptions, PackedBatch } from './pack-batch.js';
