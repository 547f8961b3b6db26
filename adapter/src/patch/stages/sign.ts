/**
 * Signing around the patch (cosign, key-based, offline; cosign.ts):
 * - before patching, trust: with `require_signed_source`, the source must carry a cosign signature that
 *   verifies against the service's trusted public key, else the task is skipped UNTRUSTED_SOURCE;
 * - after copa's push, before the push is verified: the patched image is signed (a project that enforces
 *   cosign signatures serves no unsigned manifest, so the verification could not even read it before);
 * - after the verification: copa's OpenVEX document is attached as an OCI referrer of the patched image
 *   (artifactType application/vnd.openvex+json) and, when the image was signed, the referrer is signed too
 *   (an enforcing project serves no unsigned manifest) and the document attested with cosign (`--type
 *   openvex`, the form Trivy's `--vex oci` discovers). A failed attachment is a note, not a failure.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryError } from '../../registry/client';
import {
  attestArgs,
  cosignError,
  digestFromTriangulate,
  runCosign,
  signArgs,
  verifyArgs,
  writePrivateFile,
  type CosignRun,
} from '../cosign';
import { abortedOutcome, fullName, step, stopIfAborted, type PatchContext, type PatchDeps } from '../context';
import type { TaskProgressMeter } from '../progress';
import { fail, skip } from '../reasons';
import type { TargetPlan } from './plan-target';
import type { CopaPatch } from './run-copa';
import { isNewPush, type PushedImage } from './verify';

/** The artifactType (and layer media type) of the OpenVEX referrer. */
export const OPENVEX_MEDIA_TYPE = 'application/vnd.openvex+json';

type SignDeps = Pick<PatchDeps, 'signing' | 'registry' | 'registryHost' | 'robot' | 'workRoot'>;

/** Whether this task signs its patched image: its options, else the service's default. */
export function wantsSigning(deps: Pick<PatchDeps, 'signing'>, options: PatchContext['options']): boolean {
  return options.sign ?? deps.signing?.signByDefault ?? false;
}

/** Runs cosign in a work directory of the task that is gone afterwards; a stop or timeout kills cosign. */
async function cosign(
  deps: SignDeps,
  ctx: PatchContext,
  args: string[],
  withPassword: boolean,
  files: Record<string, string> = {},
): Promise<CosignRun> {
  const signing = deps.signing!;
  const workDir = join(deps.workRoot, `task-${ctx.task.id}-cosign`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  try {
    for (const [name, content] of Object.entries(files)) writePrivateFile(workDir, name, content);
    // cosign reads and writes with a push token of the repository: Harbor serves an unsigned manifest of a
    // project that enforces cosign signatures only to cosign holding push rights (with Basic credentials,
    // cosign asks a pull-only token for its reads).
    const registryToken = await step(ctx, 'getting a registry token for cosign', () =>
      deps.registry.bearerToken(fullName(ctx.task), 'pull,push'),
    );
    ctx.log(`$ cosign ${args.join(' ')}`);
    const run = await runCosign(signing.cosignPath, args, {
      workDir,
      registryHost: deps.registryHost ?? deps.registry.host,
      credentials: deps.robot,
      registryToken,
      password: withPassword ? signing.key?.password : undefined,
      signal: ctx.signal,
    });
    if (ctx.signal.aborted) throw abortedOutcome(ctx.signal);
    return run;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

const imageRef = (deps: SignDeps, ctx: PatchContext, reference: string) =>
  `${deps.registryHost ?? deps.registry.host}/${fullName(ctx.task)}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;

/** cosign's answer when the registry, not the signature, was the problem. */
const REGISTRY_TROUBLE = /connection refused|no such host|i\/o timeout|EOF|50[0-9] |UNAUTHORIZED|DENIED|401|403/;

/** Trust before patching: ends the task UNTRUSTED_SOURCE unless the source's signature verifies. */
export async function checkSourceTrust(deps: SignDeps, ctx: PatchContext): Promise<void> {
  if (!ctx.options.require_signed_source) return;
  const { task } = ctx;
  const full = fullName(task);
  if (!deps.signing?.trustedKeyFile) {
    throw fail(
      'INTERNAL',
      'Trust before patching is on but the service has no trusted public key; set PATCHING_TRUST_PUBLIC_KEY_FILE.',
    );
  }
  stopIfAborted(ctx.signal);
  const started = Date.now();
  const run = await cosign(
    deps,
    ctx,
    verifyArgs(deps.signing.trustedKeyFile, imageRef(deps, ctx, task.source_digest), deps.signing.insecure),
    false,
  );
  if (run.exitCode === 0) {
    ctx.log(
      `the cosign signature of ${full}@${task.source_digest} verifies against the trusted key (${seconds(started)} s)`,
    );
    return;
  }
  const detail = cosignError(run);
  ctx.log(`cosign verify: ${detail}`);
  if (REGISTRY_TROUBLE.test(detail) && !/no (matching )?signatures/i.test(detail)) {
    throw fail(
      'REGISTRY_UNREACHABLE',
      `cosign could not read the signatures of ${full}@${task.source_digest}: ${detail}`,
      true,
    );
  }
  throw skip(
    'UNTRUSTED_SOURCE',
    `${full}@${task.source_digest} has no cosign signature that verifies against the trusted public key (${detail}); it was not patched.`,
  );
}

/**
 * Signs the image copa pushed as `plan.target` when the task signs. cosign resolves the tag (Harbor lets
 * cosign read an unsigned manifest in a project that enforces signatures) and signs that digest, after
 * the same check the verification makes: it must be a new image. Answers the signed digest.
 */
export async function signPatched(
  deps: SignDeps,
  ctx: PatchContext,
  meter: TaskProgressMeter,
  plan: TargetPlan,
): Promise<string | undefined> {
  if (!wantsSigning(deps, ctx.options)) return undefined;
  const { task } = ctx;
  const full = fullName(task);
  if (!deps.signing?.key) {
    throw fail(
      'SIGN_FAILED',
      `${full}:${plan.target} was pushed but not signed: signing is on for this task and the service has no signing key (PATCHING_SIGNING_KEY_FILE).`,
    );
  }
  meter.at('sign');
  const started = Date.now();
  const resolved = await cosign(
    deps,
    ctx,
    ['triangulate', ...insecureFlags(deps), imageRef(deps, ctx, plan.target)],
    false,
  );
  const digest = resolved.exitCode === 0 ? digestFromTriangulate(resolved.stdout) : undefined;
  if (resolved.exitCode !== 0 || !isNewPush(digest, plan, task.source_digest)) {
    throw fail(
      'VERIFY_FAILED',
      `copa reported success but ${full}:${plan.target} does not name a new image in the registry${resolved.exitCode !== 0 ? ` (${cosignError(resolved)})` : ''}; see the task log.`,
    );
  }
  const run = await cosign(
    deps,
    ctx,
    signArgs(deps.signing.key.file, imageRef(deps, ctx, digest), deps.signing.insecure),
    true,
  );
  if (run.exitCode !== 0) {
    throw fail('SIGN_FAILED', `${full}@${digest} was pushed but cosign could not sign it: ${cosignError(run)}`);
  }
  await ctx.record({ signed: true });
  ctx.log(`signed ${full}@${digest} with cosign in ${seconds(started)} s`);
  return digest;
}

function insecureFlags(deps: SignDeps): string[] {
  return deps.signing?.insecure ? ['--allow-http-registry', '--allow-insecure-registry'] : [];
}

/**
 * Attaches copa's OpenVEX document to the patched image: an OCI referrer through the registry client,
 * and a cosign attestation when the image was signed. Answers notes for what was not attached.
 */
export async function attachVex(
  deps: SignDeps,
  ctx: PatchContext,
  pushed: PushedImage,
  copa: CopaPatch,
  signed: boolean,
): Promise<string[]> {
  if (!copa.vex) return [];
  const started = Date.now();
  const full = fullName(ctx.task);
  const notes: string[] = [];
  const bytes = new TextEncoder().encode(JSON.stringify(copa.vex, null, 2));
  try {
    stopIfAborted(ctx.signal);
    const subject = await deps.registry.describeManifest(full, pushed.digest);
    const referrer = await deps.registry.pushReferrer(
      full,
      subject,
      OPENVEX_MEDIA_TYPE,
      { mediaType: OPENVEX_MEDIA_TYPE, bytes, annotations: { 'org.opencontainers.image.title': 'vex.json' } },
      {
        'org.opencontainers.image.created': new Date().toISOString(),
        'org.opencontainers.image.description': 'OpenVEX document of copa',
      },
    );
    await ctx.record({ vex_referrer: referrer });
    ctx.log(`attached copa's OpenVEX document to ${full}@${pushed.digest} as the referrer ${referrer}`);
    if (signed && deps.signing?.key) {
      // A project that enforces cosign signatures serves no unsigned manifest, the referrer included.
      const run = await cosign(
        deps,
        ctx,
        signArgs(deps.signing.key.file, imageRef(deps, ctx, referrer), deps.signing.insecure),
        true,
      );
      if (run.exitCode !== 0) {
        const detail = cosignError(run);
        ctx.log(`cosign sign of the OpenVEX referrer: ${detail}`);
        notes.push(`the OpenVEX referrer was not signed (${detail})`);
      }
    }
  } catch (err) {
    stopIfAborted(ctx.signal);
    const message = err instanceof RegistryError || err instanceof Error ? err.message : String(err);
    ctx.log(`the OpenVEX document was not attached: ${message}`);
    notes.push(`the OpenVEX document was not attached (${message})`);
  }
  if (signed && deps.signing?.key) {
    const run = await cosign(
      deps,
      ctx,
      attestArgs(deps.signing.key.file, 'vex.json', imageRef(deps, ctx, pushed.digest), deps.signing.insecure),
      true,
      { 'vex.json': new TextDecoder().decode(bytes) },
    );
    if (run.exitCode === 0) ctx.log(`attested the OpenVEX document of ${full}@${pushed.digest} with cosign`);
    else {
      const detail = cosignError(run);
      ctx.log(`cosign attest: ${detail}`);
      notes.push(`the OpenVEX attestation was not signed (${detail})`);
    }
  }
  ctx.log(`the OpenVEX document was attached in ${seconds(started)} s`);
  return notes;
}

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
