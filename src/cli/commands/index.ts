import type { Command } from '../Command';
import { appendCommand } from './append';
import { demoCommand } from './demo';
import { exportCommand } from './export';
import { initCommand } from './init';
import { lockCommand } from './lock';
import { conflictsCommand, metaCommand } from './meta';
import { rebuildCommand } from './rebuild';
import { searchCommand } from './search';
import { serveCommand } from './serve';
import { showCommand } from './show';
import { statusCommand } from './status';
import { streamsCommand } from './streams';
import { syncCommand } from './sync';

export const COMMANDS: readonly Command[] = [
  initCommand,
  appendCommand,
  exportCommand,
  syncCommand,
  serveCommand,
  streamsCommand,
  showCommand,
  searchCommand,
  metaCommand,
  conflictsCommand,
  statusCommand,
  rebuildCommand,
  lockCommand,
  demoCommand,
];
