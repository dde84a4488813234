/**
 * Matching of dotted parameter names (`blocks.3.attn.qkv.weight`) by glob or regex.
 * Glob: `*` = any run of characters within one segment, `**` = anything (dots included),
 * `?` = one character of a segment. A glob also matches every name BELOW a matching prefix,
 * so `blocks.0` selects `blocks.0.attn.qkv.weight`. A RegExp is searched (not anchored), like
 * Python's `re.search`.
 */
export type NamePattern = string | RegExp | ((name: string) => boolean);

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^.]*';
    else if (c === '?') re += '[^.]';
    else re += c.replace(/[\\^$+.()|{}[\]]/g, '\\$&');
  }
  return new RegExp(`^${re}(?:\\..*)?$`);
}

/** One predicate for a pattern or a list of patterns (any may match). */
export function nameMatcher(pattern: NamePattern | readonly NamePattern[]): (name: string) => boolean {
  const list = Array.isArray(pattern) ? (pattern as readonly NamePattern[]) : [pattern as NamePattern];
  const tests = list.map((p): ((name: string) => boolean) => {
    if (typeof p === 'function') return p;
    if (p instanceof RegExp) {
      const re = new RegExp(p.source, p.flags.replace('g', '').replace('y', ''));
      return (name) => re.test(name);
    }
    const re = globToRegExp(p);
    return (name) => re.test(name);
  });
  return (name) => tests.some((t) => t(name));
}
