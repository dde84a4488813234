// The README example: `npx tsx --conditions=@babelrs/source docs/example.ts` (package folder).
import os from 'node:os';
import path from 'node:path';
import {
  ModalityBalancedSampler,
  PrefetchLoader,
  buildInstructionSet,
  generateMiniSoi,
  loadSoiDet,
  soiDetTrainPipeline,
  writeInstructionsJsonl,
} from '@babelrs/datasets';

// 1. Generate a small mini-SOI set (SAR COCO JSON, RGB/IR DOTA txt, PNG images).
const root = path.join(os.tmpdir(), `mini-soi-example-${process.pid}`);
const gen = await generateMiniSoi(root, { seed: 0, images: { sar: 40, rgb: 20, ir: 20 } });
console.log(`generated ${gen.images} images with ${gen.objects} objects in ${gen.seconds.toFixed(1)} s`);

// 2. Load it like the real SOI-Det.
const { samples, counts } = await loadSoiDet(root, { splits: ['train'] });
console.log(counts);

// 3. Balanced batches (SAR:RGB:IR = 2:1:1), decoded and augmented in 2 worker threads.
const sampler = new ModalityBalancedSampler({ modalities: samples.map((s) => s.modality), seed: 0 });
const loader = new PrefetchLoader({ samples, batches: sampler, pipeline: soiDetTrainPipeline(128, { normalize: { outChannels: 3 } }), workers: 2 });
for await (const batch of loader) {
  console.log(`batch ${batch.batch}:`, batch.items.map((it) => `${it.sample.id} ${it.image.channels}×${it.image.height}×${it.image.width}`).join(', '));
  batch.release(); // done with the pixels (e.g. copied into a tensor): later batches reuse the buffers
  if (batch.batch === 2) break; // leaving the loop closes the loader
}

// 4. CSIA instruction data from the same annotations.
const pairs = buildInstructionSet(samples.slice(0, 3), { seed: 0 });
for (const p of pairs.slice(0, 4)) console.log(`[${p.modality}] ${p.instruction} → ${p.response}`);
writeInstructionsJsonl(path.join(root, 'instructions.jsonl'), buildInstructionSet(samples, { seed: 0 }));
console.log(`wrote ${path.join(root, 'instructions.jsonl')} (delete ${root} when done)`);
