/**
 * Every module of the adapter, in start order (stopped in reverse). To plug a module in, add it here:
 * its migrations run at start, its routes are mounted, its health checks and start/stop hooks are used.
 */
import type { AdapterModule } from './context';
import { policiesModule } from './http/policies';

export const MODULES: AdapterModule[] = [
  policiesModule,
];
