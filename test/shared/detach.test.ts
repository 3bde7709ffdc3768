import { describe, expect, it } from 'vitest';
import { detach, interner } from '../../src/shared/detach.ts';

describe('detach', () => {
  it('returns an equal string, short or long', () => {
    const text = `${'x'.repeat(100)}owner-name-that-is-long`;
    expect(detach(text.slice(100))).toBe('owner-name-that-is-long');
    expect(detach('short')).toBe('short');
  });
});

describe('interner', () => {
  it('returns the first instance of each value for every later equal value', () => {
    const intern = interner();
    const a = intern('Alice Johnson-Smith'.slice(0));
    const text = 'xx Alice Johnson-Smith yy';
    const b = intern(text.slice(3, 22));
    expect(b).toBe('Alice Johnson-Smith');
    expect(b).toBe(a);
  });

  it('once its limit of distinct values is reached, it only detaches: values stay equal', () => {
    const intern = interner(2);
    intern('one');
    intern('two');
    expect(intern('three')).toBe('three');
    expect(intern('one')).toBe('one');
  });
});
