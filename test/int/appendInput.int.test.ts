import { canonicalize, searchText, type DomainEvent, type Json } from '../../src/domain';
import { openCairn } from '../../src/infrastructure/container/openCairn';
import { expectCode } from '../../src/testing';
import { removeTempDirs, steppingClock, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

const open = () => openCairn({ home: tempHome('alpha', 1), clock: steppingClock() });

describe('append checks every body before it writes anything', () => {
  it('refuses a list that is not an array (a string has a length and indexes too), and appends nothing', async () => {
    const a = await open();
    await expectCode(a.append('notes', 'abc' as never), 'INPUT_INVALID');
    await expectCode(a.append('notes', { 0: 'x', length: 1 } as never), 'INPUT_INVALID');
    expect(a.streams()).toEqual([]);
    a.close();
  });

  it('refuses a hole in the list like an undefined body, and appends none of the others', async () => {
    const a = await open();
    await expectCode(a.append('notes', [{ n: 0 }, , { n: 2 }] as never), 'JSON_NOT_CANONICALIZABLE');
    await expectCode(a.append('notes', [{ n: 0 }, undefined] as never), 'JSON_NOT_CANONICALIZABLE');
    expect(a.streams()).toEqual([]);
    a.close();
  });

  it.each([
    ['a NaN', { n: NaN }, 'JSON_NOT_CANONICALIZABLE', 'value at $.n cannot be written as JSON: the number NaN has no JSON form'],
    ['a Date', { at: new Date(0) }, 'JSON_NOT_CANONICALIZABLE', 'value at $.at cannot be written as JSON: only plain objects are JSON'],
    ['too deep (and a NaN)', [NaN, JSON.parse('['.repeat(70) + ']'.repeat(70))], 'ENTRY_TOO_LARGE', 'entry 2 nests deeper than 64 arrays/objects: flatten it'],
  ])('refuses a body with %s, saying what and where, and appends none of the list', async (_what, bad, code, message) => {
    const a = await open();
    await a.append('notes', [{ first: true }]);
    const failure = await a.append('notes', [{ ok: 1 }, bad as never]).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code, message });
    expect(a.show('notes').entries.map((e) => e.body)).toEqual([{ first: true }]);
    a.close();
  });
});

describe('what subscribers of an append see', () => {
  it('entries with the bodies as appended (canonical), their canonical texts and their search texts', async () => {
    const a = await open();
    const seen: DomainEvent[] = [];
    const sub = a.events$.subscribe((e) => seen.push(e));
    const bodies: Json[] = [{ b: 'second', a: 'first', 10: 'ten', 9: 'nine', gone: undefined as never }, 'plain', -0, [null, { x: '\ud800' }]];
    await a.append('notes', bodies);
    sub.unsubscribe();
    const appended = seen.filter((e) => e.type === 'EntriesAppended');
    expect(appended).toHaveLength(1);
    const e = appended[0]!;
    if (e.type !== 'EntriesAppended') throw new Error('unreachable');
    expect(e.entries.map((x) => x.ordinal)).toEqual([0, 1, 2, 3]);
    expect(e.entries.map((x) => x.body)).toEqual(bodies.map((b) => JSON.parse(canonicalize(b))));
    expect(e.texts).toEqual(bodies.map((b) => canonicalize(b)));
    expect(e.searchTexts).toEqual(e.entries.map((x) => searchText(x.body)));
    expect(e.searchTexts![0]).toBe('ten nine first second');
    a.close();
  });
});
