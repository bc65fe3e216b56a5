export { type BffOptions, createApp } from './app.js';
