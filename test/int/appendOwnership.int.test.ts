import { openCairn } from '../../src/infrastructure/container/openCairn';
import { removeTempDirs, steppingClock, tempDir, tempHome } from '../helpers/tempHome';

afterAll(removeTempDirs);

describe('append takes a copy of what it was given', () => {
  it('a caller that changes a body after append changes neither what export seals nor what a replica gets', async () => {
    // Given an origin that appended a body and then kept using the object
    const a = await openCairn({ home: tempHome('alpha', 1), clock: steppingClock() });
    const body = { text: 'as appended', tags: ['one'] };
    await a.append('notes', [body]);
    body.text = 'changed afterwards';
    body.tags.push('two');

    // When it exports and a replica syncs
    const folder = tempDir();
    await a.sync(folder, { create: true });
    const b = await openCairn({ home: tempHome('bravo', 2), clock: steppingClock() });
    await b.sync(folder);

    // Then every copy holds what was appended: the journal's version, the read model's and the segment's agree
    const expected = [{ ordinal: 0, body: { text: 'as appended', tags: ['one'] } }];
    const gid = `${a.origin}~notes`;
    expect(a.show(gid).entries.map(({ ordinal, body: x }) => ({ ordinal, body: x }))).toEqual(expected);
    expect(b.show(gid).entries.map(({ ordinal, body: x }) => ({ ordinal, body: x }))).toEqual(expected);
    a.close();
    b.close();
  });
});
