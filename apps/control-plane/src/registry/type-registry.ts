import type { KubeObject } from '../kube-object.js';
import { BUILTIN_TYPES } from './builtin-types.js';
import { typesFromCrd } from './crd-types.js';
import type { ResourceType } from './resource-type.js';

/** Every resource type the control plane serves: built-ins plus what the stored CRDs define. */
export class TypeRegistry {
  private custom = new Map<string, ResourceType[]>();

  all(): ResourceType[] {
    return [...BUILTIN_TYPES, ...[...this.custom.values()].flat()];
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.all().find(
      (type) => type.group === group && type.version === version && type.plural === plural,
    );
  }

  /** Another version of the same resource exists: used to tell "unknown version" from "unknown resource". */
  hasResource(group: string, plural: string): boolean {
    return this.all().some((type) => type.group === group && type.plural === plural);
  }

  setCrd(name: string, crd: KubeObject | undefined): void {
    if (crd) this.custom.set(name, typesFromCrd(crd));
    else this.custom.delete(name);
  }

  /** Another CRD already serves this group and plural. */
  conflictsWith(name: string, group: string, plural: string): boolean {
    return (
      BUILTIN_TYPES.some((type) => type.group === group && type.plural === plural) ||
      [...this.custom.entries()].some(
        ([other, types]) =>
          other !== name && types.some((type) => type.group === group && type.plural === plural),
      )
    );
  }
}
