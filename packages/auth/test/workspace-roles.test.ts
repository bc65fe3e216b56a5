import { describe, expect, it } from 'vitest';
import { grantsFromRealmRoles, roleInWorkspace } from '../src/index.js';

describe('workspace roles', () => {
  const grants = grantsFromRealmRoles([
    'default-roles',
    'openkcm:viewer:root:orgs:acme',
    'openkcm:admin:root:orgs:acme:team-a',
    'openkcm:owner:root',
    'openkcm:admin:Not A Path',
  ]);

  it('reads only well-formed openkcm realm roles', () => {
    expect(grants).toEqual([
      { workspace: 'root:orgs:acme', role: 'Viewer' },
      { workspace: 'root:orgs:acme:team-a', role: 'Admin' },
    ]);
  });

  it('covers child workspaces, takes the strongest role, and nothing beside or above', () => {
    expect(roleInWorkspace(grants, 'root:orgs:acme')).toBe('Viewer');
    expect(roleInWorkspace(grants, 'root:orgs:acme:team-b')).toBe('Viewer');
    expect(roleInWorkspace(grants, 'root:orgs:acme:team-a:sub')).toBe('Admin');
    expect(roleInWorkspace(grants, 'root:orgs')).toBeUndefined();
    expect(roleInWorkspace(grants, 'root:orgs:acme-evil')).toBeUndefined();
  });
});
