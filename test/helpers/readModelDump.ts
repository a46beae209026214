import { SqliteReadModel } from '../../src/infrastructure/sqlite/SqliteReadModel';
import { COMPARABLE_TABLES } from '../../src/infrastructure/sqlite/schema';

/** The comparable tables of a read model, row by row (all of them, or the ones named). */
export function dumpReadModel(source: string | SqliteReadModel, tables: readonly string[] = Object.keys(COMPARABLE_TABLES)): Record<string, unknown[]> {
  const rm = typeof source === 'string' ? new SqliteReadModel(source) : source;
  try {
    return Object.fromEntries(tables.map((t) => [t, rm.dump(COMPARABLE_TABLES[t]!)]));
  } finally {
    if (typeof source === 'string') rm.close();
  }
}
