export { type CmkOptions, type RunningCmk, startCmk } from './server.js';
