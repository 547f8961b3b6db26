// Public surface of the Harbor stand-in.
export { startHarborSim, DEFAULT_PASSWORD, SERVICE_ROBOT_ACCESS, serviceRobot } from './server';
export type { HarborSim, HarborSimOptions, RobotSeed } from './server';
export type { ScaleOptions } from './scale';
export { MIME_NATIVE_11, MIME_NATIVE_10 } from './scans';
export { SERVED_OPERATIONS, UNDECLARED_HARBOR_ANSWERS } from './operations';
