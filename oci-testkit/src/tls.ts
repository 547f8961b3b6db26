// A private CA and a server certificate for 127.0.0.1 / localhost, made with Debian's openssl for tests
// that run the Harbor stand-in over HTTPS (as a Harbor with a certificate from a company CA).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  /** The CA's certificate (PEM): what PATCHING_CA_FILE names. */
  caFile: string;
  /** The server's certificate and key (PEM), signed by the CA. */
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Writes ca.pem, server.pem and server-key.pem into `dir` (valid for one day). */
export function makeTestCertificates(dir: string): TestCertificates {
  const caKey = join(dir, 'ca-key.pem');
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'server-key.pem');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.pem');
  const ext = join(dir, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    caKey,
    '-out',
    caFile,
    '-days',
    '1',
    '-subj',
    '/CN=harbor-patching test CA',
  ]);
  openssl(['req', '-new', ...ec, '-keyout', keyFile, '-out', csr, '-subj', '/CN=127.0.0.1']);
  writeFileSync(ext, 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n');
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caFile,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    certFile,
    '-days',
    '1',
    '-extfile',
    ext,
  ]);
  return { caFile, certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}
