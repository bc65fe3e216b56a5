#!/usr/bin/env node
// The two README commands (`npm start`, `npm test`) land here. This file runs before any
// dependency is installed, so it uses only Node's standard library.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_MAJOR = '10';

function log(message) {
  process.stderr.write(`[openkcm] ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function pnpmVersion(command, args) {
  const result = spawnSync(command, [...args, '--version'], { cwd: root, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Finds pnpm 10, installing it with npm when missing (corepack is not usable everywhere). */
function ensurePnpm() {
  const installed = pnpmVersion('pnpm', []);
  if (installed?.startsWith(`${PNPM_MAJOR}.`)) return { command: 'pnpm', prefix: [] };
  log(`pnpm ${PNPM_MAJOR} not found (have: ${installed ?? 'none'}); installing it with npm`);
  if (
    run('npm', ['install', '-g', `pnpm@${PNPM_MAJOR}`]) === 0 &&
    pnpmVersion('pnpm', [])?.startsWith(`${PNPM_MAJOR}.`)
  ) {
    return { command: 'pnpm', prefix: [] };
  }
  log('global install failed (no permission?); falling back to npx');
  return { command: 'npx', prefix: ['--yes', `pnpm@${PNPM_MAJOR}`] };
}

function main() {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode !== 'start' && mode !== 'test' && mode !== 'demo') {
    log('usage: node scripts/bootstrap.mjs start|test|demo');
    return 2;
  }
  const pnpm = ensurePnpm();
  const pn = (...args) => run(pnpm.command, [...pnpm.prefix, ...args]);

  log('installing dependencies');
  const frozen = existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
  if (pn('install', ...frozen) !== 0) return 1;
  log('building the web apps (microfrontend and dev shell)');
  if (pn('run', 'build:web') !== 0) return 1;

  if (mode === 'start') {
    // Ctrl-C reaches every process of the terminal's group; the stack shuts itself down
    // and this process waits for it instead of returning the prompt early.
    process.on('SIGINT', () => {});
    process.on('SIGTERM', () => {});
    return pn('exec', 'tsx', 'packages/local-stack/src/cli.ts', 'start', ...rest);
  }

  if (mode === 'demo') return pn('exec', 'tsx', 'e2e/demo/walkthrough.ts', ...rest);

  log('checking format, lint and types');
  if (pn('run', 'check') !== 0) return 1;
  log('running every test');
  return pn('exec', 'vitest', 'run', ...rest);
}

process.exitCode = main();
