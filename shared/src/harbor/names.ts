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

/** Splits Harbor's full repository name (`library/team/app`) into project and repository, or undefined. */
export function splitRepositoryName(full: string): { project: string; repository: string } | undefined {
  const slash = full.indexOf('/');
  if (slash <= 0) return undefined;
  const project = full.slice(0, slash);
  const repository = full.slice(slash + 1);
  return isProjectName(project) && isRepositoryName(repository, project) ? { project, repository } : undefined;
}
