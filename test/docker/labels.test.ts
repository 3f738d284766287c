import { describe, expect, it } from 'vitest';
import { drillLabels, isFaultTarget, isValidRunId, labelFilter } from '../../src/docker/labels.js';
import { splitRule } from '../../src/docker/netns.js';

describe('drill labels', () => {
  it('labels resources and selects only SUT containers as fault targets', () => {
    const sut = drillLabels({ runId: 'r1', role: 'sut', node: 'n1', kind: 'graph-agent' });
    expect(sut).toEqual({
      'drill.managed': 'true',
      'drill.run': 'r1',
      'drill.role': 'sut',
      'drill.node': 'n1',
      'drill.kind': 'graph-agent',
    });
    expect(isFaultTarget(sut)).toBe(true);
    expect(isFaultTarget(sut, 'r2')).toBe(false);
    expect(isFaultTarget(drillLabels({ runId: 'r1', role: 'helper' }))).toBe(false);
    expect(isFaultTarget({ 'drill.role': 'sut' })).toBe(false);
    expect(isFaultTarget(undefined)).toBe(false);
    expect(labelFilter()).toEqual(['drill.managed=true']);
    expect(labelFilter('r1')).toEqual(['drill.managed=true', 'drill.run=r1']);
    expect(isValidRunId('t-abc_1.2')).toBe(true);
    expect(isValidRunId('-bad')).toBe(false);
    expect(isValidRunId('a b')).toBe(false);
  });

  it('splits iptables -S lines with quoted comments', () => {
    expect(splitRule('-A OUTPUT -d 172.18.0.3/32 -m comment --comment "drill:r1" -j DROP')).toEqual([
      '-A',
      'OUTPUT',
      '-d',
      '172.18.0.3/32',
      '-m',
      'comment',
      '--comment',
      'drill:r1',
      '-j',
      'DROP',
    ]);
  });
});
