import { startCore } from './harness';
const core = await startCore();
const t2 = Date.now();
await core.close();
console.log('closed', Date.now() - t2);
process.on('exit', () => console.log('exit after', Date.now() - t2));
const h = (process as any)._getActiveHandles(); console.log(h.map((x: any) => x.constructor.name));
setTimeout(() => { const h2 = (process as any)._getActiveHandles(); console.log('later', h2.map((x: any) => x.constructor.name + (x._idleTimeout ? ':' + x._idleTimeout : ''))); }, 1000).unref();
