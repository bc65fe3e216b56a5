export { type ControlPlaneOptions, type RunningControlPlane, startControlPlane } from './server.js';
