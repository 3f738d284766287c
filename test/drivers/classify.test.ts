// The outcome tables of the native clients (docs/custom-targets.md, "Native clients"): a
// definite refusal is fail, a timeout or a lost connection after sending is info, and
// anything unrecognised is info, never fail.
import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { classifyRedisError, replyList, replyText } from '../../src/drivers/redis.js';
import { classifySqlError } from '../../src/drivers/sql.js';

const reply = (text: string): Error => new (ReplyError as new (m: string) => Error)(text);

describe('Redis outcomes', () => {
  it('refusals checked before the command runs are fail', () => {
    for (const text of [
      "READONLY You can't write against a read only replica.",
      'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no.',
      'NOREPLICAS Not enough good replicas to write.',
      'LOADING Redis is loading the dataset in memory',
      "OOM command not allowed when used memory > 'maxmemory'.",
    ]) {
      expect(classifyRedisError(reply(text))).toMatchObject({ kind: 'refused' });
    }
  });

  it('an unrecognised error reply, a timeout or a closed connection is info; not writeable is unsent', () => {
    expect(classifyRedisError(reply('ERR something odd'))).toMatchObject({ kind: 'mismatch' });
    expect(classifyRedisError(new Error('Command timed out'))).toEqual({ kind: 'unknown', error: 'timeout' });
    expect(classifyRedisError(new Error('Connection is closed.'))).toMatchObject({ kind: 'unknown' });
    expect(
      classifyRedisError(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    ).toMatchObject({
      kind: 'unsent',
    });
  });

  it('replies as text and as lists', () => {
    expect(replyText(['master', 12, ['a', 'b']])).toBe('master\n12\na\nb');
    expect(replyList(['k1', ['k2', 'k3']])).toEqual(['k1', 'k2', 'k3']);
    expect(replyText(null)).toBe('');
  });
});

describe('SQL outcomes', () => {
  const pg = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  it('PostgreSQL: read-only transaction, serialization failure, unique violation are fail', () => {
    for (const code of ['25006', '40001', '40P01', '23505', '42P01', '57P03']) {
      expect(classifySqlError('postgres', pg(code), true), code).toMatchObject({ kind: 'refused' });
    }
  });
  it('PostgreSQL: admin shutdown, connection failure and unknown codes are info; before connecting, unsent', () => {
    expect(classifySqlError('postgres', pg('57P01'), true)).toMatchObject({ kind: 'mismatch' });
    expect(classifySqlError('postgres', pg('08006'), true)).toMatchObject({ kind: 'mismatch' });
    expect(classifySqlError('postgres', new Error('Query read timeout'), true)).toEqual({
      kind: 'unknown',
      error: 'timeout',
    });
    expect(classifySqlError('postgres', new Error('Connection terminated unexpectedly'), true)).toMatchObject({
      kind: 'unknown',
    });
    expect(classifySqlError('postgres', pg('ECONNREFUSED', 'connect ECONNREFUSED'), false)).toMatchObject({
      kind: 'unsent',
    });
  });
  it('MySQL: read-only, duplicate, deadlock are fail; others info', () => {
    const my = (errno: number) => Object.assign(new Error('x'), { errno });
    for (const n of [1290, 1792, 1062, 1213])
      expect(classifySqlError('mysql', my(n), true)).toMatchObject({ kind: 'refused' });
    expect(classifySqlError('mysql', my(2013), true)).toMatchObject({ kind: 'mismatch' });
  });
});
