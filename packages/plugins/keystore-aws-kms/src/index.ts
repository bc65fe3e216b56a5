export { AwsKmsKeystore } from './aws-kms-keystore.js';
export { AwsKmsKeystoreConfiguration } from './configuration.js';
