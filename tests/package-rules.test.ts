// House rules that keep the package graph of DESIGN.md §2 honest:
// - `boxes`, `datasets`, `metrics-hmap` never depend on or import tfjs;
// - packages import each other only through their public entry (`@babelrs/<name>`), no deep
//   imports and no relative paths that leave the package;
// - internal dependencies are declared in package.json, and the graph has no cycles.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspaceDirs = [...fs.readdirSync(path.join(root, 'packages')).map((d) => `packages/${d}`), 'apps/trainer'];

interface Pkg {
  dir: string;
  name: string;
  deps: Record<string, string>;
  /** devDependencies: allowed only in test-only files (`*.test.ts`, `src/testing/`, not shipped). */
  devDeps: Record<string, string>;
}

function readPkg(dir: string): Pkg {
  const j = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
  return { dir, name: j.name, deps: { ...j.dependencies, ...j.optionalDependencies, ...j.peerDependencies }, devDeps: { ...j.devDependencies } };
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mts)$/.test(e.name)) out.push(p);
    }
  };
  walk(path.join(root, dir, 'src'));
  return out;
}

const IMPORT_RE = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

const pkgs = workspaceDirs.map(readPkg);

describe('package graph', () => {
  it('has every workspace named @babelrs/<dir> at version 0.1.0 with ESM, CJS and types exports', () => {
    for (const dir of workspaceDirs) {
      const j = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
      expect(j.name).toBe(`@babelrs/${path.basename(dir)}`);
      expect(j.version).toBe('0.1.0');
      const dot = j.exports['.'];
      expect(dot.import.types).toMatch(/\.d\.ts$/);
      expect(dot.require.default).toMatch(/\.cjs$/);
      expect(fs.existsSync(path.join(root, dir, 'README.md')), `${dir}/README.md`).toBe(true);
    }
  });

  it('points every command (bin) at a committed launcher, so npm links it at install time', () => {
    for (const dir of workspaceDirs) {
      const j = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
      for (const [cmd, target] of Object.entries<string>(j.bin ?? {})) {
        expect(target, `${dir}: bin ${cmd}`).not.toMatch(/^\.?\/?dist\//);
        const file = path.join(root, dir, target);
        expect(fs.existsSync(file), `${dir}: bin ${cmd} -> ${target}`).toBe(true);
        expect(fs.readFileSync(file, 'utf8').startsWith('#!/usr/bin/env node'), `${dir}: ${target} shebang`).toBe(true);
        expect(j.files, `${dir}: files must ship ${target}`).toContain(target.replace(/^\.\//, '').split('/')[0]);
      }
    }
  });

  for (const light of ['@babelrs/boxes', '@babelrs/formats', '@babelrs/datasets', '@babelrs/metrics-hmap']) {
    it(`${light} stays free of tfjs (manifest and every source import)`, () => {
      const p = pkgs.find((k) => k.name === light)!;
      const tfjsDeps = Object.keys(p.deps).filter((d) => d.startsWith('@tensorflow/'));
      expect(tfjsDeps).toEqual([]);
      // transitively: no internal dependency of a light package may bring tfjs in
      for (const d of Object.keys(p.deps).filter((d) => d.startsWith('@babelrs/'))) {
        expect(['@babelrs/boxes', '@babelrs/formats'], `${light} depends on ${d}`).toContain(d);
      }
      for (const f of sourceFiles(p.dir)) {
        for (const spec of importsOf(f)) expect(spec, path.relative(root, f)).not.toMatch(/^@tensorflow\//);
      }
    });
  }

  it('imports other packages only through their public entry and declares them', () => {
    const problems: string[] = [];
    for (const p of pkgs) {
      for (const f of sourceFiles(p.dir)) {
        for (const spec of importsOf(f)) {
          const rel = path.relative(root, f);
          if (spec.startsWith('@babelrs/')) {
            if (spec.split('/').length > 2) problems.push(`${rel}: deep import ${spec}`);
            const dep = spec.split('/').slice(0, 2).join('/');
            const testOnly = /\.test\.ts$/.test(f) || f.includes(`${path.sep}src${path.sep}testing${path.sep}`);
            if (dep !== p.name && !(dep in p.deps) && !(testOnly && dep in p.devDeps)) {
              problems.push(`${rel}: ${dep} not in ${testOnly ? 'dependencies or devDependencies' : 'dependencies'}`);
            }
          } else if (spec.startsWith('.')) {
            const target = path.resolve(path.dirname(f), spec);
            if (!target.startsWith(path.join(root, p.dir) + path.sep)) problems.push(`${rel}: relative import leaves the package: ${spec}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('has no dependency cycles', () => {
    const graph = new Map(pkgs.map((p) => [p.name, Object.keys(p.deps).filter((d) => d.startsWith('@babelrs/'))]));
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (n: string, trail: string[]): void => {
      if (state.get(n) === 'done') return;
      if (state.get(n) === 'visiting') throw new Error(`cycle: ${[...trail, n].join(' -> ')}`);
      state.set(n, 'visiting');
      for (const d of graph.get(n) ?? []) visit(d, [...trail, n]);
      state.set(n, 'done');
    };
    for (const n of graph.keys()) visit(n, []);
    expect(state.size).toBe(pkgs.length);
  });
});
