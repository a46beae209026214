import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

export interface ImportEdge {
  readonly from: string; // path relative to src/, e.g. "domain/ids.ts"
  readonly specifier: string;
  readonly target: string | null; // resolved path relative to src/ for relative imports, else null
  readonly typeOnly: boolean;
}

/** Every import, export-from and require() of a TypeScript source. */
export function importsOf(file: string, text: string): Omit<ImportEdge, 'from' | 'target'>[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const out: Omit<ImportEdge, 'from' | 'target'>[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: node.importClause?.isTypeOnly ?? false });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      ((ts.isIdentifier(node.expression) && node.expression.text === 'require') || node.expression.kind === ts.SyntaxKind.ImportKeyword) &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0]!)
    ) {
      out.push({ specifier: (node.arguments[0] as ts.StringLiteral).text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

export function collectEdges(srcDir: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const from = path.relative(srcDir, full).split(path.sep).join('/');
        for (const imp of importsOf(full, fs.readFileSync(full, 'utf8'))) {
          const target = imp.specifier.startsWith('.')
            ? path.posix.normalize(path.posix.join(path.posix.dirname(from), imp.specifier))
            : null;
          edges.push({ from, ...imp, target });
        }
      }
    }
  };
  walk(srcDir);
  return edges;
}

function layerOf(rel: string): string {
  const [top, second] = rel.split('/');
  if (top === 'plugins') return `plugins/${second}`;
  if (rel === 'index.ts' || rel === 'index') return 'api';
  return top!;
}

/** The rules, one-way: cli → (api, infrastructure, plugins) → application → domain. */
export function violations(edges: readonly ImportEdge[]): string[] {
  const bad: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    const why = check(from, e);
    if (why) bad.push(`${e.from} imports "${e.specifier}": ${why}`);
  }
  return bad;
}

function check(from: string, e: ImportEdge): string | null {
  const to = e.target ? layerOf(e.target) : null;
  if (to === 'cli' && from !== 'cli') return 'nothing imports the cli';
  if (from === 'domain') {
    if (to === null) {
      return e.specifier === 'node:crypto' || e.specifier === 'node:buffer' || e.specifier === 'node:zlib'
        ? null
        : 'the domain imports nothing outside the domain (only node:crypto for hashing, node:buffer for UTF-8 validation, node:zlib for crc32)';
    }
    return to === 'domain' ? null : 'the domain imports only the domain';
  }
  if (from === 'application') {
    if (to === null) {
      if (e.specifier === 'rxjs') return null;
      if (e.specifier === 'inversify' && e.typeOnly) return null;
      return 'the application imports only the domain (plus rxjs, and inversify types)';
    }
    return to === 'domain' || to === 'application' ? null : 'the application imports only the domain';
  }
  if (from.startsWith('plugins/')) {
    if (to === null) return null;
    if (to === from || to === 'domain') return null;
    if (to === 'application') {
      const t = e.target!;
      return t.startsWith('application/ports') || t === 'application/plugins' || t === 'application/tokens'
        ? null
        : 'plugins import only application ports, plugins and tokens';
    }
    return `plugins import only the domain, application ports and their own folder, not ${to}`;
  }
  if (from === 'testing') {
    if (to === null) return null;
    return to === 'domain' || to === 'application' || to === 'testing' ? null : 'the contract suites use only the domain and ports';
  }
  if (from === 'infrastructure') {
    if (to === null) return null;
    if (to.startsWith('plugins/')) return e.from.startsWith('infrastructure/container/') ? null : 'only the composition root (infrastructure/container) knows plugins';
    return null;
  }
  return null;
}
