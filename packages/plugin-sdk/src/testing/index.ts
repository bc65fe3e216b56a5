export { type KeystoreContractSubject, keystoreContract } from './keystore-contract.js';
