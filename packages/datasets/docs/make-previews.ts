// Regenerates the README previews: `npx tsx --conditions=@babelrs/source docs/make-previews.ts`
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeMiniSoiPreviews } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
for (const f of await writeMiniSoiPreviews(here, { seed: 0 })) console.log(`wrote ${path.relative(process.cwd(), f)}`);
