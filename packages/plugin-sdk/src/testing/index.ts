export { failureOf, type KeystoreContractSubject, keystoreContract } from './keystore-contract.js';
export {
  certificateIssuerContract,
  identityContract,
  notificationContract,
  systemInformationContract,
} from './service-contracts.js';
