import { realmRoleFor, type WorkspaceGrant } from '@openkcm/auth';

export interface DemoUser {
  /** Stable subject, as Keycloak gives every user a UUID. */
  id: string;
  username: string;
  givenName: string;
  familyName: string;
  email: string;
  grants: WorkspaceGrant[];
  groups: string[];
}

/** The users of the dev IdP. Their password is their user name: this IdP is for development only. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: '6f1c2a57-4b1e-4d6a-9c51-0a7e3c1d2b01',
    username: 'alice',
    givenName: 'Alice',
    familyName: 'Admin',
    email: 'alice@acme.example',
    grants: [{ workspace: 'root:orgs:acme', role: 'Admin' }],
    groups: ['/acme/admins'],
  },
  {
    id: '8d4e7b21-9f3a-4c8e-b6d2-1e5f9a0c3b02',
    username: 'victor',
    givenName: 'Victor',
    familyName: 'Viewer',
    email: 'victor@acme.example',
    grants: [{ workspace: 'root:orgs:acme', role: 'Viewer' }],
    groups: ['/acme/viewers'],
  },
  {
    id: 'a2b9c4d8-3e6f-4a1b-8c7d-2f0e5d9b4c03',
    username: 'mallory',
    givenName: 'Mallory',
    familyName: 'Outsider',
    email: 'mallory@globex.example',
    grants: [{ workspace: 'root:orgs:globex', role: 'Admin' }],
    groups: ['/globex/admins'],
  },
];

export function findUser(by: { id?: string; username?: string }): DemoUser | undefined {
  return DEMO_USERS.find((user) => (by.id !== undefined ? user.id === by.id : user.username === by.username));
}

/** The Keycloak-shaped claims of a user, in access and ID tokens alike. */
export function userClaims(user: DemoUser) {
  const roles = user.grants.map(realmRoleFor);
  return {
    preferred_username: user.username,
    name: `${user.givenName} ${user.familyName}`,
    given_name: user.givenName,
    family_name: user.familyName,
    email: user.email,
    email_verified: true,
    realm_access: { roles },
    resource_access: { openkcm: { roles } },
    groups: user.groups,
  };
}
