import { describe, expect, it } from 'vitest';
import { capture, jsonPathValues, parseIds, parsePosition } from '../../../src/targets/custom/probes/parse.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('read-back parsing', () => {
  it('one id per line by default, blank lines skipped', () => {
    expect(parseIds('k0-1\n\nk1-2\r\n  k2-3  \n')).toEqual(['k0-1', 'k1-2', 'k2-3']);
  });

  it('a JSON array of strings', () => {
    expect(parseIds(' ["a","b"] ')).toEqual(['a', 'b']);
  });

  it('a JSON path with [] over arrays, base64 decoding and a capture group (etcd range answer)', () => {
    const answer = JSON.stringify({
      header: {},
      kvs: [{ key: b64('k0-1') }, { key: b64('other') }, { key: b64('k3-9') }],
      count: '3',
    });
    expect(parseIds(answer, { json: 'kvs[].key', decode: 'base64', match: '^(k\\d+-\\d+)$' })).toEqual([
      'k0-1',
      'k3-9',
    ]);
    // no kvs at all (an empty etcd): no ids
    expect(parseIds('{"header":{}}', { json: 'kvs[].key' })).toEqual([]);
  });

  it('etcdctl get --keys-only output with a prefix stripped by the capture group', () => {
    expect(parseIds('drill/k0-1\n\ndrill/k0-2\n\n', { match: '^drill/(.+)$' })).toEqual(['k0-1', 'k0-2']);
  });

  it('nested paths and errors', () => {
    expect(jsonPathValues({ a: { b: [{ c: 1 }, { c: 2 }] } }, 'a.b[].c')).toEqual([1, 2]);
    expect(() => parseIds('not json', { json: 'x' })).toThrow(/expected a JSON answer/);
    expect(() => parseIds('{"x": 3}', { json: 'x[]' })).toThrow(/expected an array/);
  });

  it('capture: group 1, else the whole match, else undefined', () => {
    expect(capture('{"header":{"revision":"42"}}', '"revision":"(\\d+)"')).toBe('42');
    expect(capture('abc', 'b')).toBe('b');
    expect(capture('abc', 'z')).toBeUndefined();
  });
});

describe('log positions', () => {
  it('reads integers and PostgreSQL LSNs (X/Y = X * 2^32 + Y) so they order as the server orders them', () => {
    expect(parsePosition('42')).toBe(42);
    expect(parsePosition(' 0/3000148 ')).toBe(0x3000148);
    expect(parsePosition('1/0')).toBe(2 ** 32);
    expect(parsePosition('0/FFFFFFFF')).toBeLessThan(parsePosition('1/0'));
    expect(parsePosition('16/B374D848')).toBe(0x16 * 2 ** 32 + 0xb374d848);
    for (const bad of [undefined, '', 'x/1', '1/2/3', '-1', '0x10']) expect(parsePosition(bad)).toBeNaN();
  });
});
