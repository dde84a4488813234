import * as tf from '@tensorflow/tfjs';
import { nameMatcher, type NamePattern } from './name-pattern.js';

/**
 * A tree of parameters and child modules with dotted names, in the spirit of `torch.nn.Module`
 * but with EXPLICIT registration (no attribute magic): `registerParameter('weight', t)`,
 * `registerModule('blocks', list)`. Parameters are uniquely named `tf.Variable`s; the same
 * variable may be registered under several names (tied weights, e.g. an LM head sharing the
 * token embedding) and is then listed, updated and disposed once.
 */
export class Module {
  /** Train/eval mode; Dropout and DropPath are identity in eval mode. */
  training = true;
  private readonly params = new Map<string, tf.Variable>();
  private readonly buffers = new Map<string, { variable: tf.Variable; persistent: boolean }>();
  private readonly childModules = new Map<string, Module>();

  /**
   * Registers a parameter under a local name (no dots). A plain tensor becomes a new trainable
   * `tf.Variable` and the module takes ownership of (disposes) the tensor; a `tf.Variable` is
   * registered as-is (this is how weights are tied).
   */
  registerParameter(name: string, value: tf.Tensor | tf.Variable): tf.Variable {
    checkLocalName(name, 'parameter');
    this.checkFree(name, 'registerParameter');
    const variable = value instanceof tf.Variable ? value : toVariable(value, name);
    this.params.set(name, variable);
    return variable;
  }

  /** Registers a child module under a local name (no dots); returns it for chaining. */
  registerModule<M extends Module>(name: string, module: M): M {
    checkLocalName(name, 'module');
    this.checkFree(name, 'registerModule');
    if (!(module instanceof Module)) throw new TypeError(`Module.registerModule: "${name}" is not a Module`);
    this.childModules.set(name, module);
    return module;
  }

  /**
   * Registers a buffer: state that is not trained (position ids, relative-position tables,
   * running statistics). Stored as a non-trainable variable, never given to optimisers; in the
   * state dict when `persistent` (default). The module takes ownership of (disposes) `value`.
   */
  registerBuffer(name: string, value: tf.Tensor, opts: { persistent?: boolean } = {}): tf.Variable {
    checkLocalName(name, 'buffer');
    this.checkFree(name, 'registerBuffer');
    const variable = tf.variable(value, false, `babelrs/${name}_${variableCounter++}`);
    value.dispose();
    this.buffers.set(name, { variable, persistent: opts.persistent ?? true });
    return variable;
  }

  /** This module's own buffer `name`. */
  getBuffer(name: string): tf.Variable {
    const b = this.buffers.get(name);
    if (!b) throw new Error(`${this.constructor.name}: no buffer "${name}"`);
    return b.variable;
  }

  /** [dottedName, variable] for every buffer of the tree. */
  namedBuffers(): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [path, module] of this.namedModules()) {
      for (const [name, b] of module.buffers) out.push([join(path, name), b.variable]);
    }
    return out;
  }

  private checkFree(name: string, method: string): void {
    if (this.params.has(name) || this.buffers.has(name) || this.childModules.has(name)) {
      throw new Error(`Module.${method}: "${name}" is already registered`);
    }
  }

  /** This module's own parameter `name` (not a child's). */
  getParameter(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`${this.constructor.name}: no parameter "${name}" (has: ${[...this.params.keys()].join(', ') || 'none'})`);
    return v;
  }

  /** Whether this module itself has a parameter `name`. */
  hasParameter(name: string): boolean {
    return this.params.has(name);
  }

  /** This module's direct child `name`. */
  getModule<M extends Module = Module>(name: string): M {
    const m = this.childModules.get(name);
    if (!m) throw new Error(`${this.constructor.name}: no child module "${name}"`);
    return m as M;
  }

  /** Direct children as [localName, module]. */
  children(): Array<[string, Module]> {
    return [...this.childModules.entries()];
  }

  /** Every module of the tree (this one as `''` first) with its dotted path, depth first. */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [name, child] of this.childModules) out.push(...child.namedModules(join(prefix, name)));
    return out;
  }

  /**
   * [dottedName, variable] for every parameter. A tied variable appears once, under the first
   * name met, unless `includeTied` (then under every name, as in `stateDict`).
   */
  namedParameters(opts: { includeTied?: boolean; trainableOnly?: boolean } = {}): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    const seen = new Set<tf.Variable>();
    for (const [path, module] of this.namedModules()) {
      for (const [name, v] of module.params) {
        if (!opts.includeTied && seen.has(v)) continue;
        seen.add(v);
        if (opts.trainableOnly && !v.trainable) continue;
        out.push([join(path, name), v]);
      }
    }
    return out;
  }

  /** Unique parameters (tied ones once). */
  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  /** Unique parameters that are not frozen: pass these to `tf.variableGrads`. */
  trainableParameters(): tf.Variable[] {
    return this.namedParameters({ trainableOnly: true }).map(([, v]) => v);
  }

  /** Total number of scalar values in the unique parameters. */
  numParameters(): number {
    return this.parameters().reduce((n, v) => n + v.size, 0);
  }

  /** Sets train mode (or eval with `false`) on the whole tree. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Marks matching parameters non-trainable; returns the names affected. */
  freeze(pattern: NamePattern | readonly NamePattern[]): string[] {
    return this.setTrainable(pattern, false);
  }

  /** Marks matching parameters trainable again; returns the names affected. */
  unfreeze(pattern: NamePattern | readonly NamePattern[]): string[] {
    return this.setTrainable(pattern, true);
  }

  private setTrainable(pattern: NamePattern | readonly NamePattern[], trainable: boolean): string[] {
    const matches = nameMatcher(pattern);
    const names: string[] = [];
    for (const [name, v] of this.namedParameters({ includeTied: true })) {
      if (!matches(name)) continue;
      v.trainable = trainable; // shared by every name of a tied variable
      names.push(name);
    }
    return names;
  }

  /**
   * Every parameter under every name (tied ones under each) and every persistent buffer, as the
   * live variables, module by module (parameters first), like torch's `state_dict()`.
   */
  stateDict(): Record<string, tf.Variable> {
    return Object.fromEntries(this.stateEntries());
  }

  private stateEntries(): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [path, module] of this.namedModules()) {
      for (const [name, v] of module.params) out.push([join(path, name), v]);
      for (const [name, b] of module.buffers) if (b.persistent) out.push([join(path, name), b.variable]);
    }
    return out;
  }

  /**
   * Compares checkpoint key → shape against this tree without touching any value: which keys
   * would load, which parameters are missing (a tied variable counts as present if any of its
   * names is), which keys are unexpected and which shapes differ. Used by `loadStateDict` and
   * by streaming loaders that know shapes before reading data.
   */
  checkStateDict(shapes: Readonly<Record<string, readonly number[]>>): LoadStateDictReport {
    const own = this.stateEntries();
    const ownNames = new Set(own.map(([n]) => n));
    const report: LoadStateDictReport = { loaded: [], missing: [], unexpected: [], mismatched: [] };
    const satisfied = new Set<tf.Variable>();
    const mismatchedNames = new Set<string>();
    for (const [name, v] of own) {
      const shape = Object.hasOwn(shapes, name) ? shapes[name] : undefined;
      if (shape === undefined) continue;
      if (!sameShape(shape, v.shape)) {
        report.mismatched.push({ key: name, expected: [...v.shape], got: [...shape] });
        mismatchedNames.add(name);
        continue;
      }
      report.loaded.push(name);
      satisfied.add(v);
    }
    const reportedMissing = new Set<tf.Variable>();
    for (const [name, v] of own) {
      if (Object.hasOwn(shapes, name) || mismatchedNames.has(name) || satisfied.has(v) || reportedMissing.has(v)) continue;
      reportedMissing.add(v);
      report.missing.push(name);
    }
    report.unexpected = Object.keys(shapes).filter((k) => !ownNames.has(k));
    return report;
  }

  /**
   * Copies values from `dict` into the parameters (see `checkStateDict` for what is reported).
   * Strict (default): any problem throws ONE `StateDictError` listing all of them and nothing
   * is loaded. Non-strict: loads what matches and returns the report.
   */
  loadStateDict(dict: Readonly<Record<string, tf.Tensor>>, opts: { strict?: boolean } = {}): LoadStateDictReport {
    for (const [k, t] of Object.entries(dict)) {
      // e.g. a JSON-decoded checkpoint or a typo'd object: say which key, not "reading 'shape'"
      if (!(t instanceof tf.Tensor)) throw new TypeError(`${this.constructor.name}.loadStateDict: value of key "${k}" is not a tensor (got ${t === null ? 'null' : typeof t})`);
    }
    const shapes = Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, t.shape]));
    const report = this.checkStateDict(shapes);
    if ((opts.strict ?? true) && !isClean(report)) throw new StateDictError(this.constructor.name, report);
    const params = this.stateDict();
    for (const name of report.loaded) assignValue(params[name], dict[name]);
    return report;
  }

  /**
   * Replaces the parameter at dotted `path` by `variable` (weight tying, e.g.
   * `model.tieParameter('lm_head.weight', embedTokens.weight)`). The replaced variable is
   * disposed unless it is still used elsewhere in the tree.
   */
  tieParameter(path: string, variable: tf.Variable): void {
    const dot = path.lastIndexOf('.');
    const owner = dot < 0 ? this : this.moduleAt(path.slice(0, dot));
    const local = path.slice(dot + 1);
    const old = owner.getParameter(local);
    if (!sameShape(old.shape, variable.shape)) {
      throw new Error(`Module.tieParameter: "${path}" has shape [${old.shape}], cannot tie to a variable of shape [${variable.shape}]`);
    }
    owner.params.set(local, variable);
    if (old !== variable && !this.parameters().includes(old)) old.dispose();
  }

  /** The module at dotted `path` (`''` = this one). */
  moduleAt(path: string): Module {
    if (path === '') return this;
    let m: Module = this;
    for (const part of path.split('.')) m = m.getModule(part);
    return m;
  }

  /** Disposes every parameter (tied ones once) and buffer of the tree. The module is unusable after. */
  dispose(): void {
    for (const v of this.parameters()) v.dispose();
    for (const [, v] of this.namedBuffers()) v.dispose();
  }
}

export interface LoadStateDictReport {
  loaded: string[];
  missing: string[];
  unexpected: string[];
  mismatched: Array<{ key: string; expected: number[]; got: number[] }>;
}

export class StateDictError extends Error {
  constructor(
    moduleName: string,
    readonly report: LoadStateDictReport,
  ) {
    const lines: string[] = [];
    if (report.missing.length) lines.push(`  missing keys (${report.missing.length}): ${report.missing.join(', ')}`);
    if (report.unexpected.length) lines.push(`  unexpected keys (${report.unexpected.length}): ${report.unexpected.join(', ')}`);
    for (const m of report.mismatched) lines.push(`  size mismatch for ${m.key}: checkpoint has [${m.got}], model has [${m.expected}]`);
    super(`Error(s) in loading state dict for ${moduleName} (nothing was loaded):\n${lines.join('\n')}`);
    this.name = 'StateDictError';
  }
}

/** True when a load report has no missing, unexpected or mis-shaped key. */
export function isClean(report: LoadStateDictReport): boolean {
  return report.missing.length === 0 && report.unexpected.length === 0 && report.mismatched.length === 0;
}

/** `variable.assign(value)` with a dtype cast; assigning a variable its own data is a no-op. */
export function assignValue(variable: tf.Variable, value: tf.Tensor): void {
  // tfjs Variable.assign disposes the old data first: assigning its own data would free it.
  if (value.dataId === variable.dataId) return;
  tf.tidy(() => variable.assign(value.dtype === variable.dtype ? value : tf.cast(value, variable.dtype)));
}

let variableCounter = 0;

function toVariable(value: tf.Tensor, name: string): tf.Variable {
  // tfjs requires globally unique variable names; the dotted path is not known yet (the parent
  // registers this module later), so a counter makes the name unique.
  const v = tf.variable(value, true, `babelrs/${name}_${variableCounter++}`);
  value.dispose(); // the variable holds its own reference to the data
  return v;
}

function checkLocalName(name: string, kind: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new Error(`Module: ${kind} name must be a non-empty string without dots, got ${JSON.stringify(name)}`);
  }
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
