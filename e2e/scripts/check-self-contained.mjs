// Fails when a file of the repository refers to a path outside it: a relative path ("../x") that climbs
// above the repository root from the file's folder, or one joined onto the repository root itself (a
// parent folder of the root in resolve() or after $HP_ROOT). Tests, scripts and code generation read only
// what is inside the repository.
// Usage: node e2e/scripts/check-self-contained.mjs [ROOT]   (ROOT defaults to this checkout)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '../..'));
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.nx', '.angular', 'tmp', 'coverage']);
const TEXT = /\.(ts|mts|cts|js|mjs|cjs|json|sh|md|ya?ml|html|scss|css|toml|conf|txt)$|(^|\/)(Dockerfile|run)$/;

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return SKIP_DIRS.has(e.name) ? [] : walk(join(dir, e.name));
    return e.isFile() ? [relative(root, join(dir, e.name))] : [];
  });
}

function listFiles() {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\0').filter(Boolean);
  } catch {
    return walk(root); // not a git checkout (e.g. an unpacked copy)
  }
}

const inside = (path) => path === root || path.startsWith(root + sep);
// "../a/b" as a path (in quotes, after a space, =, ( or the start of a line), not a part of a longer word.
const RELATIVE = /(?:^|[\s'"`=(])((?:\.\.\/)+[\w.@$-][\w./@$-]*)/g;
// A path joined onto the repository root that climbs out of it.
const FROM_ROOT = /\b(?:root|repoRoot|ROOT|HP_ROOT)\b\}?["'`]?\s*(?:,\s*["'`]|\/)\.\.\//g;

const problems = [];
for (const file of listFiles()) {
  if (!TEXT.test(file)) continue;
  let text;
  try {
    if (statSync(join(root, file)).size > 2_000_000) continue; // generated data, not code
    text = readFileSync(join(root, file), 'utf8');
  } catch {
    continue; // deleted in the work tree
  }
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(RELATIVE)) {
      if (!inside(resolve(root, dirname(file), m[1])))
        problems.push(`${file}:${i + 1}: ${m[1]} is outside the repository`);
    }
    if (FROM_ROOT.test(line)) problems.push(`${file}:${i + 1}: climbs out of the repository root: ${line.trim()}`);
    FROM_ROOT.lastIndex = 0;
  });
}
if (problems.length > 0) {
  console.error(`self-contained: ${problems.length} reference(s) to paths outside the repository:`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(`self-contained: no file refers to a path outside ${root}`);
