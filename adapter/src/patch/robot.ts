/**
 * The service robot and a patch task: checked before the task starts (so a patch that cannot work fails
 * at once, saying what to fix), and asked again when Harbor or the registry refused it half-way, to tell
 * "Harbor rejected the robot's credentials" (HARBOR_AUTH) from "the robot has no access to this project"
 * (ROBOT_NO_ACCESS) and "the robot lacks permission X" (ROBOT_PERMISSION).
 */
import { robotPermissions, type RobotCheck, type ServiceRobot } from '../harbor/robot';
import { PatchOutcome, fail } from './reasons';

const PATCH_PERMISSIONS = robotPermissions('patch');

function outcomeOf(check: Exclude<RobotCheck, { ok: true }>): PatchOutcome {
  switch (check.problem) {
    case 'rejected':
    case 'not_configured':
      return fail('HARBOR_AUTH', check.message);
    case 'no_access':
      return fail('ROBOT_NO_ACCESS', check.message);
    case 'missing_permissions':
      return fail('ROBOT_PERMISSION', check.message);
    case 'no_project':
      return fail('NOT_FOUND', check.message);
    case 'unreachable':
      return fail('HARBOR_UNREACHABLE', `${check.message}. It will be retried; check that Harbor is up.`, true);
  }
}

/** Before a task: undefined when the robot may patch in the project, else the outcome to end the task with. */
export async function robotPreflight(robot: ServiceRobot, project: string): Promise<PatchOutcome | undefined> {
  const check = await robot.checkProject(project, PATCH_PERMISSIONS);
  return check.ok ? undefined : outcomeOf(check);
}

/**
 * After Harbor or the registry refused the robot (HARBOR_AUTH, ROBOT_PERMISSION, REGISTRY_AUTH): asks Harbor
 * afresh which of the robot's problems it is. Keeps the outcome when Harbor finds none.
 */
export async function explainRefusal(
  robot: ServiceRobot,
  project: string,
  outcome: PatchOutcome,
): Promise<PatchOutcome> {
  if (!['HARBOR_AUTH', 'ROBOT_PERMISSION', 'REGISTRY_AUTH'].includes(outcome.code)) return outcome;
  robot.forget();
  const check = await robot.checkProject(project, PATCH_PERMISSIONS);
  if (check.ok || check.problem === 'unreachable' || check.problem === 'no_project') return outcome;
  const explained = outcomeOf(check);
  return new PatchOutcome(explained.code, `${explained.message} (${outcome.message})`);
}
