/**
 * The shared webpack base for the browser apps: apps/mfe (the `openkcm-resource-mfe` Module
 * Federation remote) and apps/shell (the host standing in for the Platform Mesh Console) extend it.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import type { Configuration, WebpackPluginInstance } from 'webpack';

const require = createRequire(import.meta.url);

/**
 * @module-federation/enhanced reaches into webpack's internals by path; under pnpm's strict layout
 * it must be told where this repository's webpack is before it loads.
 */
function moduleFederationPlugin(options: Record<string, unknown>): WebpackPluginInstance {
  process.env.FEDERATION_WEBPACK_PATH ??= require.resolve('webpack');
  const { ModuleFederationPlugin } = require('@module-federation/enhanced/webpack') as {
    ModuleFederationPlugin: new (options: Record<string, unknown>) => WebpackPluginInstance;
  };
  return new ModuleFederationPlugin(options);
}

export interface SharedLibrary {
  singleton: true;
  /** false: accept whatever version the other side provides (packages the app only gets transitively). */
  requiredVersion?: false;
  /** Provided with the first chunk instead of negotiated asynchronously (only a host can). */
  eager?: boolean;
}

export interface FederatedAppOptions {
  /** The app's folder, e.g. `apps/mfe`. */
  appDir: string;
  /** The Module Federation container name, e.g. `openkcm_resource_mfe`. */
  name: string;
  mode: 'development' | 'production';
  /** Entry points by name (`main`: `./src/index.ts`). */
  entries: Record<string, string>;
  /** HTML pages: file name → the entry it loads and its title. */
  pages?: Record<string, { entry: string; title: string }>;
  /** Modules a remote exposes (`./KeyChain`: `./src/KeyChain.tsx`). */
  exposes?: Record<string, string>;
  /** Libraries host and remote must share as one instance (React, the UI kit). */
  shared?: Record<string, SharedLibrary>;
  /**
   * Where the files are served from: `/` for an app with client-side routes (its pages load at any
   * path); `auto` (the default) for a remote, whose chunks load relative to remoteEntry.js.
   */
  publicPath?: '/' | 'auto';
}

/**
 * What host and remote share as one instance: one React and one UI kit (`@openkcm/ui-kit`, the UI5
 * controls, icons and themes both apps use). UI5 is shared through the kit, not package by package:
 * a shared module cannot be tree-shaken, so sharing the UI5 packages would ship all of UI5, and
 * sharing them file by file costs hundreds of requests (measured by `pnpm run bench:web`).
 */
export function sharedSingletons(eager = false): Record<string, SharedLibrary> {
  const singleton = (extra: Partial<SharedLibrary> = {}): SharedLibrary => ({
    singleton: true,
    ...(eager ? { eager: true } : {}),
    ...extra,
  });
  return {
    react: singleton(),
    'react/': singleton(),
    'react-dom': singleton(),
    'react-dom/': singleton(),
    '@openkcm/ui-kit': singleton(),
  };
}

export function createFederatedConfig(options: FederatedAppOptions): Configuration {
  const production = options.mode === 'production';
  return {
    mode: options.mode,
    context: resolve(options.appDir),
    entry: options.entries,
    devtool: production ? 'source-map' : 'eval-cheap-module-source-map',
    output: {
      path: resolve(options.appDir, 'dist'),
      publicPath: options.publicPath ?? 'auto',
      // The federation runtime asks for this name before hashes exist, only to learn its folder.
      filename: (pathData) =>
        production &&
        pathData.chunk &&
        'contentHash' in pathData.chunk &&
        pathData.chunk.contentHash?.javascript
          ? '[name].[contenthash].js'
          : '[name].js',
      chunkFilename: production ? '[name].[contenthash].js' : '[name].js',
      assetModuleFilename: 'assets/[name].[contenthash][ext]',
      clean: true,
      uniqueName: options.name,
    },
    resolve: { extensions: ['.tsx', '.ts', '.js'], extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
    experiments: { css: true },
    module: {
      rules: [
        { test: /\.tsx?$/, loader: 'esbuild-loader', options: { target: 'es2022', jsx: 'automatic' } },
        { test: /\.css$/, type: 'css' },
        { test: /\.(woff2?|png|svg)$/, type: 'asset/resource' },
      ],
    },
    plugins: [
      moduleFederationPlugin({
        name: options.name,
        filename: 'remoteEntry.js',
        exposes: options.exposes ?? {},
        shared: options.shared ?? {},
        dts: false,
        manifest: true,
      }),
      ...Object.entries(options.pages ?? {}).map(
        ([filename, page]) =>
          new HtmlWebpackPlugin({
            filename,
            title: page.title,
            chunks: [page.entry],
            templateContent: ({ htmlWebpackPlugin }) =>
              `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${page.title}</title><link rel="icon" href="data:,">${htmlWebpackPlugin.tags.headTags}</head><body><div id="root"></div>${htmlWebpackPlugin.tags.bodyTags}</body></html>`,
            inject: false,
          }),
      ),
    ],
    // Readable chunk names (which packages a file holds) for the load benchmark and for people.
    optimization: { chunkIds: 'named' },
    performance: { hints: false },
    cache: { type: 'filesystem', cacheDirectory: resolve(options.appDir, 'node_modules/.cache/webpack') },
    stats: 'errors-warnings',
  };
}
