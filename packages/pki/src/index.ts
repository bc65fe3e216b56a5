export { type JsonResponse, requestJson } from './https-json.js';
export { loadOrCreateServingCertificate, type ServingCertificate } from './local-ca.js';
