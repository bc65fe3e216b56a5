/**
 * Builds the browser apps (the remote and the dev shell) for production. `npm start` and `npm test`
 * run it; webpack's cache makes a rebuild without changes take a few seconds.
 */
import webpack, { type Configuration } from 'webpack';
import mfe from '../apps/mfe/webpack.config.js';
import shell from '../apps/shell/webpack.config.js';

const mode = process.argv.includes('--development') ? 'development' : 'production';
const configurations: Configuration[] = [mfe(undefined, { mode }), shell(undefined, { mode })];
const started = Date.now();
webpack(configurations, (error, stats) => {
  if (error) {
    process.stderr.write(`[build:web] ${error.message}\n`);
    process.exit(1);
  }
  const text = stats?.toString({ preset: 'errors-warnings', colors: false }) ?? '';
  if (text.trim()) process.stderr.write(`${text}\n`);
  if (stats?.hasErrors()) {
    process.stderr.write('[build:web] the web apps did not build; see the errors above\n');
    process.exit(1);
  }
  process.stderr.write(
    `[build:web] built apps/mfe and apps/shell (${mode}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
});
