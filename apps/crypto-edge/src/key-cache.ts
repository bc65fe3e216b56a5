import type { EdgeKeyState } from '@openkcm/edge-protocol';
import { parseWorkloadPattern, type WorkloadPattern } from '@openkcm/spiffe';
import type { KeyMaterial } from './cmk-link.js';
import { EdgeError } from './edge-error.js';

export interface HeldKey {
  state: EdgeKeyState;
  tenantId: string;
  patterns: WorkloadPattern[];
  /** Plaintext versions, in memory only; zeroed when dropped. */
  versions: Map<number, Buffer>;
}

export interface KeySource {
  keyMaterial(name: string, version?: number): Promise<KeyMaterial>;
}

function patternsOf(entries: string[]): WorkloadPattern[] {
  return entries.flatMap((entry) => {
    try {
      return [parseWorkloadPattern(entry)];
    } catch {
      return [];
    }
  });
}

/**
 * The L3 versions this edge holds, and what CMK last said about each key. Every change CMK
 * pushes bumps the key's epoch; material fetched across a change is fetched again, so a disable
 * that overtakes a fetch is never undone by the fetch's older answer.
 */
export class KeyCache {
  private readonly keys = new Map<string, HeldKey>();
  private readonly epochs = new Map<string, number>();
  private readonly loading = new Map<string, Promise<void>>();
  tenantState: string | undefined;

  constructor(
    private readonly source: KeySource,
    /** Throws when this edge may not serve (not yet synchronised, partitioned too long, deregistered). */
    private readonly guard: () => void,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  /** The key and one usable version (the current one when `version` is absent). */
  async resolve(
    name: string,
    version?: number,
  ): Promise<{ key: HeldKey; version: number; material: Buffer }> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      this.guard();
      if (this.tenantState === 'SUSPENDED')
        throw new EdgeError(
          'KEY_NOT_USABLE',
          'OpenKCM is disabled in this workspace (tenant suspended): its keys cannot be used',
        );
      const held = this.keys.get(name);
      if (held) {
        usable(name, held.state);
        const wanted = version ?? held.state.currentVersion;
        if (wanted < held.state.oldestUsableVersion)
          throw new EdgeError(
            'KEY_NOT_USABLE',
            `version ${wanted} of "${name}" is no longer usable (retention or destruction)`,
          );
        const material = held.versions.get(wanted);
        if (material) return { key: held, version: wanted, material };
      }
      await this.load(name, version);
    }
    throw new EdgeError('UNAVAILABLE', `"${name}" kept changing while it was loaded; try again`);
  }

  private load(name: string, version: number | undefined): Promise<void> {
    const id = `${name}@${version ?? 'current'}`;
    let pending = this.loading.get(id);
    if (!pending) {
      const epoch = this.epochs.get(name) ?? 0;
      pending = this.source
        .keyMaterial(name, version)
        .then((loaded) => {
          if ((this.epochs.get(name) ?? 0) !== epoch) {
            loaded.material.fill(0);
            return;
          }
          const held = this.keys.get(name) ?? {
            state: loaded.key,
            tenantId: loaded.tenantId,
            patterns: patternsOf(loaded.key.allowedWorkloads),
            versions: new Map<number, Buffer>(),
          };
          held.state = loaded.key;
          held.patterns = patternsOf(loaded.key.allowedWorkloads);
          held.versions.get(loaded.version)?.fill(0);
          held.versions.set(loaded.version, loaded.material);
          this.keys.set(name, held);
        })
        .finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    return pending;
  }

  /** What CMK pushed about a key: a disable, deletion or retention drops material at once. */
  applyKey(name: string, state: EdgeKeyState | null): void {
    this.epochs.set(name, (this.epochs.get(name) ?? 0) + 1);
    const held = this.keys.get(name);
    if (!state) {
      if (held) this.drop(name, held);
      return;
    }
    if (!held) return;
    held.state = state;
    held.patterns = patternsOf(state.allowedWorkloads);
    if (state.state !== 'ENABLED') {
      for (const material of held.versions.values()) material.fill(0);
      held.versions.clear();
      return;
    }
    for (const [version, material] of held.versions) {
      if (version < state.oldestUsableVersion || version > state.currentVersion) {
        material.fill(0);
        held.versions.delete(version);
      }
    }
    // A rotation: the next encrypt uses the new version, so fetch it now rather than on that call.
    if (!held.versions.has(state.currentVersion))
      void this.load(name, state.currentVersion).catch(() => undefined);
  }

  applyTenant(state: string): void {
    this.tenantState = state;
    if (state !== 'ACTIVE') this.clear();
  }

  private drop(name: string, held: HeldKey): void {
    for (const material of held.versions.values()) material.fill(0);
    this.keys.delete(name);
  }

  /** Forgets every key (deregistration, a reset from CMK, shutdown). */
  clear(): void {
    for (const [name, held] of this.keys) this.drop(name, held);
  }
}

function usable(name: string, state: EdgeKeyState): void {
  if (state.state === 'ENABLED') return;
  const what =
    state.state === 'DISABLED'
      ? 'disabled: every Crypto Edge refuses it until it is enabled again'
      : 'scheduled for deletion: cancel the deletion to use it again';
  throw new EdgeError('KEY_NOT_USABLE', `ServiceEncryptionKey "${name}" is ${what}`, {
    key: name,
    state: state.state,
  });
}
