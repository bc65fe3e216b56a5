/** The demo users of the dev IdP and where `npm start` points each one's kubeconfig context. */
export const DEMO_CONTEXTS = [
  { user: 'alice', workspace: 'root:orgs:acme', role: 'Admin of root:orgs:acme and its child workspaces' },
  { user: 'victor', workspace: 'root:orgs:acme', role: 'Viewer of root:orgs:acme' },
  { user: 'mallory', workspace: 'root:orgs:globex', role: 'Admin of root:orgs:globex only' },
] as const;

/** Workspaces `npm start` creates: the tree of the demo. */
export const SEED_WORKSPACES = [
  'root:orgs',
  'root:orgs:acme',
  'root:orgs:acme:team-a',
  'root:orgs:globex',
] as const;

export const CONTROLLER_SERVICE_ACCOUNT = 'openkcm-controller';

/** CMK's identity towards the control plane: its system-information plugin reads the platform. */
export const CMK_SERVICE_ACCOUNT = 'openkcm-cmk';

/** The local Crypto Edge's identity towards the control plane (it declares its CryptoEdge and reads its Secret). */
export const EDGE_SERVICE_ACCOUNT = 'openkcm-crypto-edge';

/** The workspace whose Crypto Edge `npm start` runs. */
export const EDGE_WORKSPACE = 'root:orgs:acme';
