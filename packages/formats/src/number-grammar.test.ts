import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DECIMAL_SYNTAX, isDecimal, isDecimalSyntax, parseDecimal, parseInteger, splitFields } from './number-grammar.js';

describe('strict number grammar', () => {
  it('reads decimals with sign, fraction and exponent', () => {
    expect(['12', '-3.5', '+2', '.5', '5.', '1e3', '2.5E-2', '-0'].map(parseDecimal)).toEqual([12, -3.5, 2, 0.5, 5, 1000, 0.025, -0]);
  });

  it('refuses what Number() would take but no labelling tool writes', () => {
    for (const t of ['0x10', '0b1', '0o7', '', ' ', ' 1', '1 ', 'Infinity', '-Infinity', 'NaN', '1e999', '1,5', '1_000', '.', 'e3', '--1', '１']) {
      expect(parseDecimal(t), JSON.stringify(t)).toBeNaN();
      expect(isDecimal(t)).toBe(false);
    }
  });

  it('integers where integers are meant: digits only, safe range', () => {
    expect(['7', '-2', '+0', '007'].map(parseInteger)).toEqual([7, -2, 0, 7]);
    for (const t of ['7.0', '7e0', '0x7', '', '9007199254740993', '1.5']) expect(parseInteger(t), t).toBeNaN();
  });

  it('the char-code scanner accepts exactly the DECIMAL grammar; splitFields = split(/\\s+/)', () => {
    const text = fc.array(fc.constantFrom('0', '1', '9', '.', 'e', 'E', '+', '-', 'x', ' ', '\t', '\u00a0'), { maxLength: 10 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(isDecimalSyntax(t), JSON.stringify(t)).toBe(DECIMAL_SYNTAX.test(t));
        const line = t.trim();
        if (line !== '') expect(splitFields(line)).toEqual(line.split(/\s+/));
      }),
      { numRuns: 3000, seed: 4 },
    );
  });
});
