export {
  AUDIENCE,
  DEV_TOOLS_CLIENT,
  DEV_USER_GRANT,
  ISSUER_PATH,
  RESOURCE,
  SERVICE_CLIENTS,
  SHELL_CLIENT,
} from './clients.js';
export { DEMO_USERS, type DemoUser } from './demo-users.js';
export { readClientSecret } from './secrets.js';
export { type IdpOptions, type RunningIdp, startIdp } from './server.js';
