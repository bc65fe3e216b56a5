export { type JsonResponse, requestJson } from './https-json.js';
export {
  LocalCertificateAuthority,
  loadOrCreateServingCertificate,
  type ServingCertificate,
} from './local-ca.js';
