import type { KubeObject } from '@openkcm/kube-client';
import { describe, expect, it } from 'vitest';
import { overview, topology } from '../src/views.js';

const account = (
  name: string,
  keyReference: string,
  ready?: { status: string; reason: string },
): KubeObject => ({
  metadata: { name },
  spec: { providerType: 'Local', keyReference },
  status: {
    // A key that was never found is still "reachable": the keystore answered.
    l1: { reachable: true },
    ...(ready
      ? { conditions: [{ type: 'Ready', message: 'key not found in the keystore provider', ...ready }] }
      : {}),
  },
});

describe('L1 health in the overview and the topology', () => {
  const accounts = [
    account('good', 'acme-root', { status: 'True', reason: 'L1KeyVerified' }),
    account('missing', 'missing', { status: 'False', reason: 'L1KeyNotUsable' }),
    account('down', 'bao-key', { status: 'False', reason: 'L1Unreachable' }),
    account('new', 'fresh'),
    // Shares acme-root with "good": the root is as healthy as its worst use.
    account('also-acme', 'acme-root', { status: 'False', reason: 'L1KeyNotUsable' }),
  ];

  it('comes from the Account’s Ready condition, never calling a missing key healthy', () => {
    const health = overview(undefined, accounts, [], new Date()).l1Health;
    expect(health.map((entry) => [entry.account, entry.state])).toEqual([
      ['good', 'Available'],
      ['missing', 'NotUsable'],
      ['down', 'Unreachable'],
      ['new', 'Unknown'],
      ['also-acme', 'NotUsable'],
    ]);
    expect(health[1]?.message).toContain('not found');
    const roots = topology(accounts, []).nodes.filter((node) => node.kind === 'L1');
    expect(roots.map((node) => [node.label, node.state])).toEqual([
      ['acme-root', 'NotUsable'],
      ['missing', 'NotUsable'],
      ['bao-key', 'Unreachable'],
      ['fresh', 'Unknown'],
    ]);
  });
});
