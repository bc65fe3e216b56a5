import type { PluginStatus } from '../plugins/plugin-host.js';
import type { Sql } from '../storage/database.js';
import type { Alert, Alerts } from './alerts.js';

export interface SweepPolicy {
  /** A re-key running longer than this is stuck. */
  rekeyStuckAfterSeconds: number;
  /** An edge silent longer than this has stopped serving (the edges' partition bound). */
  edgePartitionBoundSeconds: number;
}

/** The conditions CMK finds by looking, not by doing: unhealthy plugins, stuck re-keys, lost edges. */
export async function sweepAlerts(
  sql: Sql,
  alerts: Alerts,
  plugins: PluginStatus[],
  policy: SweepPolicy,
): Promise<void> {
  await alerts.reconcile(
    'PluginUnhealthy',
    plugins
      .filter((plugin) => plugin.health.status === 'unhealthy')
      .map(
        (plugin): Alert => ({
          type: 'PluginUnhealthy',
          workspace: '*',
          severity: 'critical',
          summary: `the ${plugin.type} plugin ${plugin.plugin} is unhealthy: ${plugin.health.message}`,
          action: `Check the ${plugin.plugin} configuration in CMK's profile and the service it talks to; GET /api/v1/plugins shows its health.`,
          subject: { kind: 'Plugin', name: plugin.plugin },
        }),
      ),
    'the plugin is healthy again',
  );
  const rekeys = await sql.query<{
    workspace: string;
    name: string;
    started: Date;
    done: number;
    total: number;
  }>(
    `select t.workspace, a.name, a.rekey_started_at as started, coalesce(a.rekey_done, 0) as done, coalesce(a.rekey_total, 0) as total
       from accounts a join tenants t on t.id = a.tenant_id
      where a.state = 'REKEYING' and a.rekey_started_at < now() - make_interval(secs => $1)`,
    [policy.rekeyStuckAfterSeconds],
  );
  await alerts.reconcile(
    'AccountReKeyStuck',
    rekeys.map((rekey) => ({
      type: 'AccountReKeyStuck',
      workspace: rekey.workspace,
      severity: 'warning',
      summary: `the re-key of Account ${rekey.name} started at ${rekey.started.toISOString()} and has re-wrapped ${rekey.done} of ${rekey.total} keys`,
      action:
        'Check that both the old and the new L1 key are usable (the Account’s conditions say which fails); the re-key continues by itself once they are.',
      subject: { kind: 'Account', name: rekey.name },
    })),
    'the re-key finished',
  );
  const edges = await sql.query<{ workspace: string; name: string; last_seen_at: Date }>(
    `select t.workspace, e.name, e.last_seen_at from crypto_edges e join tenants t on t.id = e.tenant_id
      where e.last_seen_at < now() - make_interval(secs => $1)`,
    [policy.edgePartitionBoundSeconds],
  );
  await alerts.reconcile(
    'CryptoEdgeDisconnected',
    edges.map((edge) => ({
      type: 'CryptoEdgeDisconnected',
      workspace: edge.workspace,
      severity: 'critical',
      summary: `Crypto Edge ${edge.name} has not been in touch since ${edge.last_seen_at.toISOString()}, past its partition bound: it serves no keys`,
      action:
        'Check the edge process and its network path to CMK’s edge listener (mTLS); its workloads cannot encrypt or decrypt until it reconnects.',
      subject: { kind: 'CryptoEdge', name: edge.name },
    })),
    'the Crypto Edge is connected again',
  );
}
