export { Pkcs11Keystore, Pkcs11KeystoreConfiguration } from './pkcs11-keystore.js';
