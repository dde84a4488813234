// @babelrs/csia: Concept-Shared Instruction Aligning (BabelRS stage 1) — tokenizer and chat
// format, a Qwen2-architecture LM with Hugging Face weight import, the projector, the VLM,
// instruction packing with response-only loss, the pretraining loop, ViT export and the
// cross-modal retrieval metric.
export { CsiaInputError } from './errors.js';
// pieces around the LM
export { pixelShuffle } from './pixel-shuffle.js';
export { buildLossMask } from './loss-mask.js';
export { responseOnlyCrossEntropy } from './response-only-loss.js';
export { packInstructionBatch } from './pack-batch.js';
export type { InstructionSample, PackOptions, PackedBatch } from './pack-batch.js';
// tokenizer
export { TextTokenizer, IMAGE_TOKENS } from './tokenizer/text-tokenizer.js';
export type { TokenizerJson, TokenizerConfigJson, AddedTokenJson, LoadTokenizerOptions } from './tokenizer/text-tokenizer.js';
export { renderChat, renderQwenChat, imagePlaceholder, encodeInstruction } from './tokenizer/chat-format.js';
export type { ChatMessage, RenderChatOptions, EncodedInstruction, EncodeInstructionOptions } from './tokenizer/chat-format.js';
export { trainBpeTokenizer, byteLevelAlphabet, DEFAULT_SPECIAL_TOKENS } from './tokenizer/train-bpe.js';
export type { TrainBpeOptions } from './tokenizer/train-bpe.js';
// language model
export type { LanguageModel, LMForwardInputs, LMForwardOutput } from './lm/language-model.js';
export { Qwen2ForCausalLM, positionIds, causalPaddingMask } from './lm/qwen2-model.js';
export type { Qwen2InitOptions } from './lm/qwen2-model.js';
export { parseQwen2Config, readQwen2Config, qwen2ConfigJson, QWEN2_5_0_5B } from './lm/qwen2-config.js';
export type { Qwen2Config } from './lm/qwen2-config.js';
export { KVCache } from './lm/kv-cache.js';
export { rotaryTables, applyRotary } from './lm/rotary.js';
export { generate } from './lm/generate.js';
export type { GenerateOptions, GeneratePrompt } from './lm/generate.js';
export { loadQwen2, loadSafetensorsShards, safetensorsFilesOf, qwen2KeyMap } from './lm/load-weights.js';
export type { KeyMap } from './lm/load-weights.js';
// projector, VLM, files
export { Projector } from './vlm/projector.js';
export type { ProjectorConfig } from './vlm/projector.js';
export { VisionLanguageModel } from './vlm/vlm.js';
export type { VlmConfig } from './vlm/vlm.js';
export { exportVit, readExportedVitConfig, saveVlm, loadVlm, VIT_CONFIG_METADATA_KEY } from './vlm/vlm-io.js';
export { loadInternVLWeights, splitInternVLKey } from './vlm/internvl-weights.js';
export type { InternVLLoadReport } from './vlm/internvl-weights.js';
export { askImages, evaluateAnswers } from './vlm/ask.js';
export type { AskOptions, AnswerAccuracy } from './vlm/ask.js';
// data, pretraining, metric
export { miniSoiExamples, sceneToSample } from './data/mini-soi-examples.js';
export type { CsiaImage, CsiaExample, MiniSoiExamplesOptions } from './data/mini-soi-examples.js';
export { pretrain } from './pretrain/pretrain.js';
export type { PretrainOptions, PretrainResult, PretrainState, PretrainStepEvent, PretrainContext, FreezeOptions } from './pretrain/pretrain.js';
export { csiaPreset, vlmConfigFor } from './pretrain/presets.js';
export type { CsiaPreset, CsiaPresetName } from './pretrain/presets.js';
export { crossModalRetrieval, objectFeatures } from './retrieval/cross-modal-retrieval.js';
export type { CrossModalRetrievalResult, CrossModalRetrievalOptions, RetrievalDirection, RetrievalImage } from './retrieval/cross-modal-retrieval.js';
