export { type ControllerOptions, type RunningController, startController } from './server.js';
