// CLI: node --import tsx harbor-sim/src/main.ts --port 8380 --registry http://127.0.0.1:5000
//        --advisories FILE --seed demo [--scan-delay-ms 500] [--latency-ms 300] [--tls-cert FILE --tls-key FILE]
//        [--no-scanner PROJECT|'*']...
//        (robots: HARBOR_SIM_ROBOTS or --robot)
// Robot accounts can also come from HARBOR_SIM_ROBOTS (one 'robot$name:SECRET' per line), which keeps the
// secret out of the process list; both sources add up.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startHarborSim, type RobotSeed } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.HP_HARBOR_PORT ?? '8380' },
    host: { type: 'string', default: '127.0.0.1' },
    registry: { type: 'string', default: `http://${process.env.HP_REGISTRY_ADDR ?? '127.0.0.1:5000'}` },
    advisories: { type: 'string', default: process.env.HP_ADVISORIES },
    seed: { type: 'string', default: 'demo' },
    robot: { type: 'string', multiple: true, default: [] },
    'scan-delay-ms': { type: 'string', default: '500' },
    'latency-ms': { type: 'string', default: '0' },
    'external-url': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'no-scanner': { type: 'string', multiple: true, default: [] },
  },
});

if (values.seed !== 'demo' && values.seed !== 'empty') {
  process.stderr.write(`--seed must be demo or empty, not "${values.seed}"\n`);
  process.exit(2);
}
if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) {
  process.stderr.write('--tls-cert and --tls-key go together (PEM files of the certificate and its key)\n');
  process.exit(2);
}
const latencyMs = Number(values['latency-ms']);
if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 60_000) {
  process.stderr.write(
    `--latency-ms must be a whole number of milliseconds from 0 to 60000, not "${values['latency-ms']}"\n`,
  );
  process.exit(2);
}
const robotSpecs = [
  ...(values.robot ?? []),
  ...(process.env.HARBOR_SIM_ROBOTS ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean),
];
// Child processes have no business with the secrets.
delete process.env.HARBOR_SIM_ROBOTS;
const robots: RobotSeed[] = robotSpecs.map((spec) => {
  const colon = spec.lastIndexOf(':');
  if (colon <= 0) {
    process.stderr.write(`--robot and HARBOR_SIM_ROBOTS entries must look like 'robot$name:SECRET'\n`);
    process.exit(2);
  }
  return { name: spec.slice(0, colon), secret: spec.slice(colon + 1), level: 'system' };
});

const sim = await startHarborSim({
  port: Number(values.port),
  host: values.host,
  registryUrl: values.registry,
  advisoriesFile: values.advisories,
  seed: values.seed,
  robots,
  scanDelayMs: Number(values['scan-delay-ms']),
  latencyMs,
  externalUrl: values['external-url'],
  tls:
    values['tls-cert'] && values['tls-key']
      ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) }
      : undefined,
  noScanner: values['no-scanner'],
});
process.stdout.write(`harbor-sim listening on ${sim.url} (registry ${values.registry}, seed ${values.seed})\n`);
const stop = () => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
