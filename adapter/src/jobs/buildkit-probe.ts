/**
 * Whether a buildkitd answers the way copa needs it to: copa's first call is the control API's
 * ListWorkers (its "failed to list workers" error), so the probe makes that same gRPC call and expects
 * an OK status with at least one worker. The request message is empty and only the status and the
 * length of the answer matter, so one HTTP/2 request from node:http2 does it; no gRPC library or
 * protobuf code is needed. unix:// and tcp:// (plain, as copa dials it) are probed; other schemes
 * (ssh://, docker-container://, ...) are not and count as healthy, as copa is left to reach them.
 */
import { connect as http2Connect } from 'node:http2';
import { connect as netConnect } from 'node:net';

export interface ProbeResult {
  ok: boolean;
  /** What was checked (the address). */
  detail: string;
  /** Why it failed and what to check. */
  error?: string;
}

const LIST_WORKERS = '/moby.buildkit.v1.Control/ListWorkers';

export function probeBuildkitd(addr: string, timeoutMs = 3000): Promise<ProbeResult> {
  let authority: string;
  let socketPath: string | undefined;
  if (addr.startsWith('unix://')) {
    socketPath = addr.slice('unix://'.length);
    authority = 'http://localhost';
  } else if (addr.startsWith('tcp://')) {
    authority = `http://${new URL(addr).host}`;
  } else {
    return Promise.resolve({ ok: true, detail: `${addr} (not checked: only unix:// and tcp:// are probed)` });
  }
  return new Promise((resolve) => {
    const session = http2Connect(authority, socketPath ? { createConnection: () => netConnect(socketPath) } : {});
    let settled = false;
    const done = (r: Omit<ProbeResult, 'detail'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve({ detail: addr, ...r });
    };
    const timer = setTimeout(
      () => done({ ok: false, error: `buildkitd did not answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    const unreachable = (err: Error) =>
      done({
        ok: false,
        error: `cannot reach buildkitd (${err.message}); start it or fix PATCHING_BUILDKIT_ADDR`,
      });
    session.on('error', unreachable);
    const req = session.request({
      ':method': 'POST',
      ':path': LIST_WORKERS,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let bytes = 0;
    let status: string | undefined;
    let message: string | undefined;
    const readStatus = (h: Record<string, unknown>) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
      if (h['grpc-message'] !== undefined) message = decodeURIComponent(String(h['grpc-message']));
    };
    req.on('response', (headers) => {
      if (headers[':status'] !== 200) {
        done({ ok: false, error: `the address answered HTTP ${headers[':status']}, not buildkitd's gRPC API` });
        return;
      }
      readStatus(headers); // a "trailers-only" answer carries the status here
    });
    req.on('trailers', readStatus);
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('error', unreachable);
    req.on('end', () => {
      if (status !== '0') {
        done({
          ok: false,
          error: `buildkitd refused ListWorkers (gRPC status ${status ?? 'missing'}: ${message ?? ''})`,
        });
      } else if (bytes <= 5) {
        // 5 bytes: the gRPC frame header of an empty message, i.e. no worker.
        done({ ok: false, error: 'buildkitd answers but has no worker; check its worker settings' });
      } else done({ ok: true });
    });
    // A gRPC frame: uncompressed flag 0, length 0 (an empty ListWorkersRequest).
    req.end(Buffer.alloc(5));
  });
}
