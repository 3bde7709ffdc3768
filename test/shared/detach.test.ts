import { describe, expect, it } from 'vitest';
import { detach, interner } from '../../src/shared/detach.ts';

/*
 * Which instance a string is cannot be observed in JavaScript (=== compares text), so these pin the values;
 * the memory the sharing saves is measured in bench/README.md ("Third pass": 382 → 265 MB for 1M records).
 */
describe('detach', () => {
  it('returns the same text for a slice of a larger string, short or long', () => {
    const text = `${'x'.repeat(100)}owner-name-that-is-long`;
    expect(detach(text.slice(100))).toBe('owner-name-that-is-long');
    expect(detach(text.slice(100, 105))).toBe('owner');
  });
});

describe('interner', () => {
  it('returns each value’s text, first seen or seen again, including slices of larger strings', () => {
    const intern = interner();
    const text = 'xx Alice Johnson-Smith yy Alice Johnson-Smith';
    expect(intern(text.slice(3, 22))).toBe('Alice Johnson-Smith');
    expect(intern(text.slice(26))).toBe('Alice Johnson-Smith');
    expect(intern('')).toBe('');
  });

  it('past its limit of distinct values it still returns every value’s text', () => {
    const intern = interner(2);
    const values = ['one', 'two', 'three', 'one', 'four', 'two'];
    expect(values.map(intern)).toEqual(values);
  });
});
