import { describe, expect, it } from 'vitest';
import { catalogueTranslator, fillMessage, pluralKey, type Catalogue } from '../../../src/format/translate';

describe('fillMessage (Chrome i18n substitution rules)', () => {
  const entry = {
    message: 'Closed $WHAT$ of $From$ — $$5',
    placeholders: { what: { content: '$1' }, from: { content: 'org $2' } },
  };
  it('fills named placeholders from positional substitutions, case-insensitively; $$ is a dollar', () => {
    expect(fillMessage(entry, ['1 socket', 'a'])).toBe('Closed 1 socket of org a — $5');
  });
  it('never re-reads a substituted value as syntax', () => {
    expect(fillMessage(entry, ['$2 $FROM$', '$$'])).toBe('Closed $2 $FROM$ of org $$ — $5');
  });
  it('a missing substitution is empty; an undefined placeholder stays as written', () => {
    expect(fillMessage({ message: 'a $X$ b $Y$', placeholders: { x: { content: '$1' } } })).toBe('a  b $Y$');
  });
  it('$n directly in the message', () => {
    expect(fillMessage({ message: '$1 of $2' }, ['4', '5'])).toBe('4 of 5');
  });
});

describe('catalogueTranslator', () => {
  const cat: Catalogue = { hello: { message: 'Hallo $NAME$', placeholders: { name: { content: '$1' } } } };
  it('looks up, falls back, and answers "" for an unknown name like chrome.i18n', () => {
    const t = catalogueTranslator(cat, { bye: { message: 'Bye' } });
    expect(t('hello' as never, ['Dana'])).toBe('Hallo Dana');
    expect(t('bye' as never)).toBe('Bye');
    expect(t('nope' as never)).toBe('');
  });
  it('rejects a message name Chrome would reject', () => {
    expect(() => catalogueTranslator({ 'bad-name': { message: 'x' } })).toThrow(/invalid message name "bad-name"/);
  });
});

describe('pluralKey', () => {
  it('picks _one or _other by the locale’s plural rules', () => {
    expect(pluralKey('x', 1, 'en')).toBe('x_one');
    expect(pluralKey('x', 0, 'en')).toBe('x_other');
    expect(pluralKey('x', 2, 'de')).toBe('x_other');
    expect(pluralKey('x', 1, 'de')).toBe('x_one');
  });
  it('copes with a malformed locale tag', () => {
    expect(pluralKey('x', 1, 'not a tag!')).toBe('x_one');
  });
});
