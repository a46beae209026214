import { globalId, newOriginId, originNameFromHost, parseGlobalId, parseOriginId, parseOriginName, parseStreamId, resolveStreamRef } from '../../src/domain';
import { expectCode } from '../../src/testing';

describe('origin ids', () => {
  it.each(['laptop-1a2b3c', 'abc', 'a-b', 'x'.repeat(63)])('accepts %s', (id) => {
    expect(parseOriginId(id)).toBe(id);
  });
  it.each(['local', '../x', 'Laptop-1a2b3c', '', 'ab', 'x'.repeat(64), '-abc', 'abc-', 'a_b', 'a b', 'a~b'])('rejects %j', async (id) => {
    await expectCode(() => parseOriginId(id), 'ORIGIN_ID_INVALID');
  });
  it('derives an origin id from a host name and a random suffix', () => {
    expect(newOriginId('My.Laptop_01', 'a1b2c3')).toBe('my-laptop-01-a1b2c3');
    expect(newOriginId('---', '000000')).toBe('cairn-000000');
    expect(originNameFromHost('x'.repeat(100))).toHaveLength(56);
  });
  it('never derives "local" or an invalid id', () => {
    expect(newOriginId('local', 'abcdef')).toBe('local-abcdef');
  });
  it('validates names given to init --name', async () => {
    expect(parseOriginName('desk')).toBe('desk');
    await expectCode(() => parseOriginName('Desk'), 'ORIGIN_ID_INVALID');
    await expectCode(() => parseOriginName('x'.repeat(57)), 'ORIGIN_ID_INVALID');
  });
});

describe('stream ids', () => {
  it.each(['notes', 'A.b_c-9', 'x'.repeat(128), '...'])('accepts %s', (id) => {
    expect(parseStreamId(id)).toBe(id);
  });
  it.each(['', '.', '..', '../x', 'a/b', 'a~b', 'x'.repeat(129), 'héllo', 'a b'])('rejects %j', async (id) => {
    await expectCode(() => parseStreamId(id), 'STREAM_ID_INVALID');
  });
});

describe('global ids', () => {
  it('joins and splits origin~stream', () => {
    const gid = globalId(parseOriginId('desk-000001'), parseStreamId('notes'));
    expect(gid).toBe('desk-000001~notes');
    expect(parseGlobalId(gid)).toEqual({ origin: 'desk-000001', stream: 'notes', gid });
  });
  it.each(['notes', '~notes', 'desk-000001~', 'local~notes', 'desk-000001~../x', 'DESK~x'])('rejects %j', async (id) => {
    await expectCode(() => parseGlobalId(id), 'GLOBAL_ID_INVALID');
  });
  it('resolves a bare id to this origin and a global id to its origin', () => {
    const self = parseOriginId('desk-000001');
    expect(resolveStreamRef('notes', self).gid).toBe('desk-000001~notes');
    expect(resolveStreamRef('laptop-00000a~notes', self).origin).toBe('laptop-00000a');
  });
});
