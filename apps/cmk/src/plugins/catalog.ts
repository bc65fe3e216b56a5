import { LocalCaCertificateIssuer } from '@openkcm/plugin-certificates-local-ca';
import { OidcIdentity } from '@openkcm/plugin-identity-oidc';
import { AwsKmsKeystore } from '@openkcm/plugin-keystore-aws-kms';
import { LocalKeystore } from '@openkcm/plugin-keystore-local';
import { OpenBaoKeystore } from '@openkcm/plugin-keystore-openbao';
import { Pkcs11Keystore } from '@openkcm/plugin-keystore-pkcs11';
import { AlertmanagerNotification } from '@openkcm/plugin-notification-alertmanager';
import { LogNotification } from '@openkcm/plugin-notification-log';
import type { Plugin, PluginType } from '@openkcm/plugin-sdk';
import { ResourceGraphSystemInformation } from '@openkcm/plugin-system-information-resource-graph';

/** Every plugin this build of CMK can load, by the name config.yaml uses. */
export const PLUGIN_CATALOG: Record<string, { type: PluginType; create: () => Plugin }> = {
  'keystore-local': { type: 'KeystoreProvider', create: () => new LocalKeystore() },
  'keystore-pkcs11': { type: 'KeystoreProvider', create: () => new Pkcs11Keystore() },
  'keystore-openbao': { type: 'KeystoreProvider', create: () => new OpenBaoKeystore() },
  'keystore-aws-kms': { type: 'KeystoreProvider', create: () => new AwsKmsKeystore() },
  'identity-oidc': { type: 'IdentityManagementService', create: () => new OidcIdentity() },
  'certificates-local-ca': { type: 'CertificateIssuerService', create: () => new LocalCaCertificateIssuer() },
  'system-information-resource-graph': {
    type: 'SystemInformationService',
    create: () => new ResourceGraphSystemInformation(),
  },
  'notification-log': { type: 'NotificationService', create: () => new LogNotification() },
  'notification-alertmanager': { type: 'NotificationService', create: () => new AlertmanagerNotification() },
};
