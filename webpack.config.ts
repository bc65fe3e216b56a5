/**
 * The shared webpack base for the browser apps: apps/mfe (the `openkcm-resource-mfe` Module
 * Federation remote) and apps/shell (the host standing in for the Platform Mesh Console) extend it.
 */
import { resolve } from 'node:path';
import webpack, { type Configuration } from 'webpack';

export interface FederatedAppOptions {
  /** The app's folder, e.g. `apps/mfe`. */
  appDir: string;
  /** The Module Federation container name, e.g. `openkcm_resource_mfe`. */
  name: string;
  mode: 'development' | 'production';
  /** Modules a remote exposes (`./KeyChain`: `./src/KeyChain.tsx`). */
  exposes?: Record<string, string>;
  /** Remotes a host loads (`openkcm_resource_mfe`: `openkcm_resource_mfe@http://.../remoteEntry.js`). */
  remotes?: Record<string, string>;
  /** Libraries host and remotes must share as one instance (React, the UI kit). */
  shared?: Record<string, { singleton: boolean; requiredVersion: string | false }>;
  publicPath?: string;
}

export function createFederatedConfig(options: FederatedAppOptions): Configuration {
  return {
    mode: options.mode,
    context: resolve(options.appDir),
    entry: { main: './src/index.ts' },
    devtool: options.mode === 'development' ? 'eval-cheap-module-source-map' : 'source-map',
    output: {
      path: resolve(options.appDir, 'dist'),
      publicPath: options.publicPath ?? 'auto',
      filename: options.mode === 'production' ? '[name].[contenthash].js' : '[name].js',
      clean: true,
      uniqueName: options.name,
    },
    resolve: { extensions: ['.tsx', '.ts', '.js'], extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
    module: {
      rules: [{ test: /\.tsx?$/, loader: 'esbuild-loader', options: { target: 'es2022', jsx: 'automatic' } }],
    },
    plugins: [
      new webpack.container.ModuleFederationPlugin({
        name: options.name,
        filename: 'remoteEntry.js',
        exposes: options.exposes ?? {},
        remotes: options.remotes ?? {},
        shared: options.shared ?? {},
      }),
    ],
    performance: { hints: options.mode === 'production' ? 'warning' : false },
  };
}
