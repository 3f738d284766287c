import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config.js';

describe('agent config', () => {
  it('applies defaults and parses peers', () => {
    const c = parseConfig([], { NODE_ID: 'n1', PEERS: 'n2=n2:7000,n3=10.0.0.3:7001' });
    expect(c).toMatchObject({
      nodeId: 'n1',
      clientPort: 8080,
      raftPort: 7000,
      dataDir: '/data',
      heartbeatMs: 100,
      electionTimeoutMs: 1000,
      maxBodyBytes: 1048576,
      replication: 'sync',
      replicationLagMs: 500,
      fsync: true,
      flushLagMs: 1000,
      failover: 'raft',
    });
    expect(c.peers).toEqual([
      { id: 'n2', host: 'n2', port: 7000 },
      { id: 'n3', host: '10.0.0.3', port: 7001 },
    ]);
    expect(parseConfig([], { NODE_ID: 'solo' }).peers).toEqual([]);
  });

  it('flags win over the environment, in both --flag value and --flag=value forms', () => {
    const c = parseConfig(
      [
        '--node-id',
        'n9',
        '--fsync=off',
        '--replication',
        'async',
        '--failover=naive',
        '--client-port',
        '9000',
        '--replication-lag-ms=250',
        '--flush-lag-ms',
        '2000',
      ],
      {
        NODE_ID: 'n1',
        FSYNC: 'on',
        CLIENT_PORT: '8000',
      },
    );
    expect(c).toMatchObject({ nodeId: 'n9', fsync: false, replication: 'async', failover: 'naive', clientPort: 9000 });
    expect(c).toMatchObject({ replicationLagMs: 250, flushLagMs: 2000 });
  });

  it.each([
    [{}, [], /NODE_ID is required/],
    [{ NODE_ID: 'n1', PEERS: 'n2' }, [], /PEERS: bad entry/],
    [{ NODE_ID: 'n1', PEERS: 'n1=h:7000' }, [], /lists this node itself/],
    [{ NODE_ID: 'n1', PEERS: 'n2=h:7000,n2=g:7000' }, [], /listed twice/],
    [{ NODE_ID: 'n1', PEERS: 'n2=h:70000' }, [], /between 1 and 65535/],
    [{ NODE_ID: 'n1', CLIENT_PORT: 'abc' }, [], /CLIENT_PORT must be an integer/],
    [{ NODE_ID: 'n1', REPLICATION: 'maybe' }, [], /REPLICATION must be one of sync\|async/],
    [{ NODE_ID: 'n1', FSYNC: 'yes' }, [], /FSYNC must be one of on\|off/],
    [{ NODE_ID: 'n1', FAILOVER: 'x' }, [], /FAILOVER must be one of/],
    [{ NODE_ID: 'n1', REPLICATION_LAG_MS: '-5' }, [], /REPLICATION_LAG_MS must be an integer/],
    [{ NODE_ID: 'n1', FLUSH_LAG_MS: '700000' }, [], /FLUSH_LAG_MS must be between 0 and 600000/],
    [{ NODE_ID: 'n1', HEARTBEAT_MS: '500', ELECTION_TIMEOUT_MS: '400' }, [], /must be greater than HEARTBEAT_MS/],
    [{ NODE_ID: 'n1', CLIENT_PORT: '7000' }, [], /must differ/],
    [{ NODE_ID: 'bad id' }, [], /bad node id/],
    [{ NODE_ID: 'n1' }, ['--bogus', '1'], /unknown argument/],
    [{ NODE_ID: 'n1' }, ['--peers'], /needs a value/],
  ] as const)('rejects %j %j', (env, argv, message) => {
    expect(() => parseConfig([...argv], { ...env })).toThrow(ConfigError);
    expect(() => parseConfig([...argv], { ...env })).toThrow(message);
  });
});
