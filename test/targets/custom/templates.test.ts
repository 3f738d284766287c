import { describe, expect, it } from 'vitest';
import {
  FILTERS,
  NODE_VARS,
  WRITE_VARS,
  nodeVars,
  render,
  templateProblems,
} from '../../../src/targets/custom/templates.js';

const layout = {
  runId: 'r1',
  names: ['n1', 'n2', 'n3'],
  peerPort: 2380,
  peerUrl: 'http://{{peer.host}}:{{peer.port}}',
  state: 'new' as const,
};

describe('custom target templates', () => {
  it('renders node and cluster variables', () => {
    const v = nodeVars(layout, 'n2');
    expect(render('--name={{node.name}} --i={{ node.index }} --host={{node.host}}', v)).toBe(
      '--name=n2 --i=2 --host=n2',
    );
    expect(render('{{peers}}', v)).toBe('n1=http://n1:2380,n3=http://n3:2380');
    expect(render('{{cluster.peers}}', v)).toBe('n1=http://n1:2380,n2=http://n2:2380,n3=http://n3:2380');
    expect(render('{{cluster.nodes}}/{{cluster.size}}/{{run.id}}/{{cluster.state}}', v)).toBe('n1,n2,n3/3/r1/new');
  });

  it('peers default to host:port, or host without a peer port', () => {
    expect(nodeVars({ ...layout, peerUrl: undefined }, 'n1')['peers']).toBe('n2=n2:2380,n3=n3:2380');
    expect(nodeVars({ ...layout, peerUrl: undefined, peerPort: undefined }, 'n1')['peers']).toBe('n2=n2,n3=n3');
  });

  it('applies filters left to right, on variables and quoted literals', () => {
    const v = { ...nodeVars(layout, 'n1'), id: 'k0-1', value: 'k0-1' };
    expect(render('{"key":"{{id | base64}}"}', v)).toBe('{"key":"azAtMQ=="}');
    expect(render("{{ 'drill/' | prefix_end | base64 }}", v)).toBe(Buffer.from('drill0').toString('base64'));
    expect(render('{{ "x y" | upper }}', v)).toBe('X Y');
    expect(render('/k/{{id | url}}', { ...v, id: 'a b/c' })).toBe('/k/a%20b%2Fc');
    expect(FILTERS['json']!('say "hi"\n')).toBe('say \\"hi\\"\\n');
    expect(FILTERS['prefix_end']!('ab')).toBe('ac');
  });

  it('reports unknown variables, unknown filters and unclosed braces', () => {
    expect(templateProblems('{{node.name}} {{id}}', WRITE_VARS)).toEqual([]);
    expect(templateProblems('{{id}}', NODE_VARS)[0]).toMatch(/unknown variable \{\{id\}\} here; available: node.name/);
    expect(templateProblems('{{node.name | rot13}}', NODE_VARS)[0]).toMatch(/unknown filter "rot13"/);
    expect(templateProblems('{{ 12 }}', NODE_VARS)[0]).toMatch(/expected a variable/);
    expect(templateProblems('--x={{node.name', NODE_VARS)[0]).toMatch(/unclosed/);
  });

  it('throws on a variable the context lacks', () => {
    expect(() => render('{{backup.id}}', nodeVars(layout, 'n1'))).toThrow(/unknown variable/);
  });
});
