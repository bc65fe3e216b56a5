export { OpenBaoKeystoreConfiguration } from './configuration.js';
export { OpenBaoKeystore } from './openbao-keystore.js';
