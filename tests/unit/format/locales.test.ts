/**
 * The `_locales` catalogues: English complete, every other language with exactly the same
 * message names and placeholders (names and `$n` contents), Chrome's naming rules kept.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Catalogue } from '../../../src/format/translate';

const LOCALES = resolve(__dirname, '../../../public/_locales');
const load = (lang: string): Catalogue => JSON.parse(readFileSync(join(LOCALES, lang, 'messages.json'), 'utf8')) as Catalogue;
const en = load('en');
const others = readdirSync(LOCALES).filter((lang) => lang !== 'en');

/** A message's placeholders as `name=content`, sorted; and the `$NAME$` it uses. */
function shape(entry: Catalogue[string]): { defined: string[]; used: string[] } {
  const defined = Object.entries(entry.placeholders ?? {})
    .map(([name, p]) => `${name.toLowerCase()}=${p.content}`)
    .sort();
  const used = [...new Set([...entry.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase()))].sort();
  return { defined, used };
}

describe('_locales', () => {
  it('has German besides English', () => {
    expect(others).toContain('de');
  });

  it('English: names follow Chrome’s rules, are unique ignoring case, and every message is filled', () => {
    const lower = new Set<string>();
    for (const [name, entry] of Object.entries(en)) {
      expect(name).toMatch(/^[A-Za-z0-9_]+$/);
      expect(lower.has(name.toLowerCase()), `${name} clashes ignoring case`).toBe(false);
      lower.add(name.toLowerCase());
      expect(entry.message.length, name).toBeGreaterThan(0);
      expect(entry.description?.length ?? 0, `${name} has a description for translators`).toBeGreaterThan(0);
    }
  });

  it('English: every $NAME$ used is defined and every definition is used, with $1…$n in order', () => {
    for (const [name, entry] of Object.entries(en)) {
      const { defined, used } = shape(entry);
      expect(defined.map((d) => d.split('=')[0]).sort(), name).toEqual(used);
      const contents = defined.map((d) => d.split('=')[1]).sort();
      expect(contents, name).toEqual(contents.map((_, i) => `$${i + 1}`));
    }
  });

  it('the manifest’s messages exist', () => {
    const manifest = readFileSync(resolve(__dirname, '../../../manifest.json'), 'utf8');
    for (const m of manifest.matchAll(/__MSG_(\w+)__/g)) expect(en[m[1]!], m[1]).toBeDefined();
  });

  for (const lang of others) {
    describe(lang, () => {
      const catalogue = load(lang);
      it('has exactly the message names of en', () => {
        expect(Object.keys(catalogue).sort()).toEqual(Object.keys(en).sort());
      });
      it('has the same placeholders (names and contents) as en, and uses each of them', () => {
        for (const [name, entry] of Object.entries(en)) {
          const theirs = catalogue[name];
          if (!theirs) continue;
          expect(shape(theirs), `${lang}/${name}`).toEqual(shape(entry));
        }
      });
      it('names its own language', () => {
        expect(catalogue.locale?.message).toBe(lang);
      });
    });
  }
});
