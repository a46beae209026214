import * as path from 'node:path';
import { collectEdges, violations, type ImportEdge } from '../helpers/layerRules';

describe('layering', () => {
  const edges = collectEdges(path.join(__dirname, '..', '..', 'src'));

  it('finds the imports of the source tree', () => {
    expect(edges.length).toBeGreaterThan(50);
    expect(edges.some((e) => e.from.startsWith('domain/'))).toBe(true);
  });

  it('every import runs one way: cli → infrastructure/plugins → application → domain', () => {
    expect(violations(edges)).toEqual([]);
  });

  it('flags imports that break the rules', () => {
    const edge = (from: string, specifier: string, target: string | null, typeOnly = false): ImportEdge => ({ from, specifier, target, typeOnly });
    expect(
      violations([
        edge('domain/ids.ts', '../application/Cairn', 'application/Cairn'),
        edge('domain/ids.ts', 'rxjs', null),
        edge('application/Cairn.ts', '../infrastructure/system', 'infrastructure/system'),
        edge('application/Cairn.ts', 'inversify', null, false),
        edge('plugins/file-store/x.ts', '../../infrastructure/system', 'infrastructure/system'),
        edge('plugins/file-store/x.ts', '../../application/Cairn', 'application/Cairn'),
        edge('plugins/file-store/x.ts', '../memory-store/y', 'plugins/memory-store/y'),
        edge('infrastructure/sqlite/a.ts', '../../cli/main', 'cli/main'),
        edge('infrastructure/sqlite/a.ts', '../../plugins/file-store', 'plugins/file-store'),
      ]),
    ).toHaveLength(9);
    expect(
      violations([
        edge('domain/hash.ts', 'node:crypto', null),
        edge('domain/artifacts/segment.ts', 'node:buffer', null),
        edge('application/plugins.ts', 'inversify', null, true),
        edge('plugins/file-store/x.ts', '../../application/ports', 'application/ports'),
        edge('infrastructure/container/builtinPlugins.ts', '../../plugins/file-store', 'plugins/file-store'),
        edge('cli/main.ts', '../infrastructure/system', 'infrastructure/system'),
      ]),
    ).toEqual([]);
  });
});
