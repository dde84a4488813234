// What an npm user gets: build and `npm pack` the tfjs-free packages (boxes, formats, datasets,
// metrics-hmap), install the tarballs into a fresh folder (from the npm cache where it can), type-check
// a small program with default strict `tsc` settings — no `skipLibCheck` — run it, and run the
// `babelrs-hmap` command. Takes a few minutes (four builds): opt in with BABELRS_CONSUMER_TEST=1.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['boxes', 'formats', 'datasets', 'metrics-hmap'];
const enabled = process.env.BABELRS_CONSUMER_TEST === '1';
let tmp = '';
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const MAIN = `import { polyToObb } from '@babelrs/boxes';
import { FormatError, parseDotaTxt } from '@babelrs/formats';
import { SOI_DET_CLASSES, DatasetError } from '@babelrs/datasets';
import { createDataset, evaluateByModality } from '@babelrs/metrics-hmap';

const label = parseDotaTxt('0 0 4 0 4 4 0 4 ship 2\\n', 'a.txt');
const obb = polyToObb(label.objects[0].poly);
console.log('obb', Array.from(obb).map((v) => Math.round(v * 100) / 100).join(' '));
try {
  parseDotaTxt('0 0 4 0 ship 0', 'b.txt');
} catch (e) {
  if (e instanceof DatasetError && e instanceof FormatError) console.log('error', e.message);
}
const ds = createDataset({
  geometry: 'hbb',
  classes: ['ship'],
  images: [{ name: 'a', modality: 'sar' }],
  gts: [{ image: 'a', label: 'ship', box: [0, 0, 10, 10] }],
  dets: [{ image: 'a', label: 'ship', box: [0, 0, 10, 10], score: 0.9 }],
});
console.log('mAP', evaluateByModality(ds, 'voc').mAP, 'classes', SOI_DET_CLASSES.length > 0);
`;

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
}

describe.skipIf(!enabled)('npm consumer (BABELRS_CONSUMER_TEST=1)', () => {
  it('packs, installs, type-checks without skipLibCheck, runs, and runs babelrs-hmap', () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-consumer-'));
    const tarballs = PACKAGES.map((p) => {
      const dir = path.join(ROOT, 'packages', p);
      sh('npx', ['tsup'], dir);
      return path.join(tmp, sh('npm', ['pack', '--silent', '--pack-destination', tmp], dir).trim().split('\n').pop()!);
    });
    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    const deps = Object.fromEntries(PACKAGES.map((p, i) => [`@babelrs/${p}`, `file:${tarballs[i]}`]));
    // A Node project has @types/node: the version this checkout uses.
    const typesNode = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string }).version;
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: deps, devDependencies: { '@types/node': typesNode } }));
    sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
    fs.writeFileSync(path.join(app, 'main.ts'), MAIN);
    // Default strict settings for a Node ESM project; deliberately no skipLibCheck.
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, outDir: 'out', types: ['node'] }, files: ['main.ts'] }));
    const tsc = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(sh('node', ['out/main.js'], app)).toBe('obb 2 2 4 4 0\nerror b.txt line 1: polygon has 2 points, DOTA needs exactly 4 (8 coordinates, class, difficult); got 6 fields\nmAP 1 classes true\n');
    // The command: --help exits 0; a bad flag exits 2 with one line.
    expect(spawnSync(path.join(app, 'node_modules/.bin/babelrs-hmap'), ['--help'], { encoding: 'utf8' }).status).toBe(0);
    const bad = spawnSync(path.join(app, 'node_modules/.bin/babelrs-hmap'), ['--protocol', 'coco'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  }, 600_000);
});
