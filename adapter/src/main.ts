/**
 * Process entry: `node --import tsx adapter/src/main.ts`. Reads the configuration (PATCHING_* and
 * PATCHING_CONFIG_FILE), opens the store, runs the migrations, starts, and stops cleanly on
 * SIGTERM/SIGINT (a second signal exits at once).
 */
import { startAdapter } from './app';
import { ConfigError, loadConfig } from './config/config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const problem of err.problems) process.stderr.write(`config: ${problem}\n`);
      process.stderr.write('The adapter did not start: fix the settings above (see README.md, "Configuration").\n');
      process.exit(2);
    }
    throw err;
  }
  const adapter = await startAdapter({}, { config });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      adapter.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    adapter.logger.info({ signal }, 'shutting down');
    adapter.close().then(
      () => process.exit(0),
      (err) => {
        adapter.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`The adapter failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
