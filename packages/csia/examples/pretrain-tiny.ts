// Stage 1 end to end on a few mini-SOI scenes: tokenizer from the instruction corpus, the tiny
// VLM, 30 pretraining steps, a question about an image, the ViT exported for stage 2 and
// loaded back by @babelrs/vit-backbone, and the cross-modal retrieval metric.
// Run from the repo root: npx tsx --conditions=@babelrs/source packages/csia/examples/pretrain-tiny.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '@babelrs/core';
import { ViT, loadVitSafetensors } from '@babelrs/vit-backbone';
import {
  VisionLanguageModel,
  askImages,
  crossModalRetrieval,
  csiaPreset,
  exportVit,
  miniSoiExamples,
  pretrain,
  readExportedVitConfig,
  trainBpeTokenizer,
  vlmConfigFor,
} from '@babelrs/csia';

await initBackend({ prefer: 'wasm' });
const preset = csiaPreset('tiny');
const { images, examples } = miniSoiExamples({ range: [0, 20], imageSize: preset.imageSize, tasks: ['counting', 'presence', 'referring'] });
const tokenizer = trainBpeTokenizer(examples.flatMap((e) => [e.instruction, e.response]), { maxMerges: 400 });
console.log(`${images.length} images, ${examples.length} instruction pairs, vocabulary ${tokenizer.vocabSize}`);
console.log('e.g.', JSON.stringify(examples[0].instruction), '→', JSON.stringify(examples[0].response));

const vlm = new VisionLanguageModel(vlmConfigFor(preset, tokenizer), { seed: 0 });
console.log(`VLM: ${vlm.numParameters()} parameters, ${vlm.numImageTokens} visual tokens per image`);
const before = crossModalRetrieval(vlm.vit, images);
const res = await pretrain({ vlm, tokenizer, images, examples, steps: 30, batchSize: 12, lr: 2e-3, warmupSteps: 3 });
const h = res.history;
console.log(`loss ${h[0].loss.toFixed(3)} → ${h[h.length - 1].loss.toFixed(3)} in ${res.steps} steps; last step: α ${h[h.length - 1].alpha.toFixed(2)}, |g| ${h[h.length - 1].gradNorm.toFixed(2)}`);

const [answer] = askImages(vlm, tokenizer, [images[0].pixels], [examples[0].instruction], { maxNewTokens: 12 });
console.log(`asked ${images[0].id}: ${JSON.stringify(examples[0].instruction)} → ${JSON.stringify(answer)}`);

const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'csia-example-')), 'vit.safetensors');
exportVit(res.vit, file);
const stage2 = new ViT(readExportedVitConfig(file));
const report = loadVitSafetensors(stage2, file, { style: 'babelrs' });
console.log(`exported ViT: ${report.loaded.length} tensors loaded back by @babelrs/vit-backbone`);
fs.rmSync(path.dirname(file), { recursive: true, force: true });

const after = crossModalRetrieval(vlm.vit, images);
console.log(`retrieval mean top-1 (train scenes): ${before.meanTop1.toFixed(3)} → ${after.meanTop1.toFixed(3)} (chance ${after.meanChance.toFixed(3)})`);
