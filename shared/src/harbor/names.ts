// Harbor's and the distribution registry's grammar for the names this service passes on.
// Every project, repository, tag and digest that arrives from outside (path, body, query, webhook,
// jobservice job) is checked against these before any Harbor or registry call; nothing is normalised
// into another name (`..`, `.`, empty segments, `//`, backslashes and control characters never match).

/** Harbor's project name rule (`src/common/utils/utils.go`, lower case, 1-255 characters). */
export const PROJECT_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** One path component of distribution's repository name grammar (`reference/regexp.go`). */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/** A repository name inside a project (`sample-app`, `team/app`), without the project. */
export const REPOSITORY_NAME = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
/** distribution's tag grammar. */
export const TAG = /^[\w][\w.-]{0,127}$/;
/** The only digest algorithm Harbor's artifacts use. */
export const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** distribution limits a full repository name (`project/repo`) to 255 characters. */
export const MAX_REPOSITORY_LENGTH = 255;

/** The same grammar as a JSON-schema pattern for a repository path parameter as a validator sees it: decoded once,
 * so a `/` may still be written `%2F` (Harbor asks for `a%252Fb`). The code checks the name again after decoding it. */
export const REPOSITORY_PATH_PARAMETER_PATTERN = `^${PATH_COMPONENT}(?:(?:/|%2[Ff])${PATH_COMPONENT})*$`;

/** What each rule allows, in plain words (API error messages). */
export const NAME_RULES = {
  project: 'may hold lower-case letters, digits and single ".", "_" or "-" between them (Harbor\'s name rule)',
  repository:
    'must be a repository name: lower-case letters and digits, with single ".", "_", "__" or "-" between them, ' +
    'in components separated by "/" (URL-encoded twice in a path, %252F); no "..", ".", empty components, ' +
    'backslashes or control characters',
  tag: 'must be a tag (up to 128 letters, digits, ".", "_" and "-", starting with a letter, digit or "_")',
  digest: 'must be a digest ("sha256:" and 64 lower-case hex digits)',
  reference: 'must be a tag (up to 128 letters, digits, ".", "_" and "-") or a digest ("sha256:" and 64 hex digits)',
} as const;

export const isProjectName = (value: string): boolean => value.length <= 255 && PROJECT_NAME.test(value);

/** A repository name without its project; `project` given, the full name must also fit distribution's limit. */
export function isRepositoryName(value: string, project?: string): boolean {
  if (!REPOSITORY_NAME.test(value)) return false;
  const full = project === undefined ? value : `${project}/${value}`;
  return full.length <= MAX_REPOSITORY_LENGTH;
}

export const isTag = (value: string): boolean => TAG.test(value);
export const isDigest = (value: string): boolean => DIGEST.test(value);
/** An artifact reference as Harbor's API takes it: a tag or a digest. */
export const isReference = (value: string): boolean => isTag(value) || isDigest(value);

/** A full repository name (`library/team/app`): a valid project, then a valid repository within it. */
export const isFullRepositoryName = (full: string): boolean => splitRepositoryName(full) !== undefined;

/** Splits Harbor's full repository name (`library/team/app`) into project and repository, or undefined. */
export function splitRepositoryName(full: string): { project: string; repository: string } | undefined {
  const slash = full.indexOf('/');
  if (slash <= 0) return undefined;
  const project = full.slice(0, slash);
  const repository = full.slice(slash + 1);
  return isProjectName(project) && isRepositoryName(repository, project) ? { project, repository } : undefined;
}
