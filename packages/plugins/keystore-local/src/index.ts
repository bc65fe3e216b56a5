export { LocalKeystore, LocalKeystoreConfiguration } from './local-keystore.js';
