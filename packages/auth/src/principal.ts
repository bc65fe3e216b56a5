import type { WorkspaceGrant } from './workspace-roles.js';

/** Who is calling, as every API of the product sees it after checking the token itself. */
export interface Principal {
  /** `user` for people, `service` for the product's own components. */
  kind: 'user' | 'service';
  username: string;
  subject: string;
  /** Product services act across workspaces (the controller reconciles every tenant). */
  system: boolean;
  grants: WorkspaceGrant[];
  /** The token's audiences and the client it was issued to (`aud` and `azp`): a tenant may accept only some. */
  audiences?: string[];
}
