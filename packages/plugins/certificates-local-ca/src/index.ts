import { LocalCertificateAuthority } from '@openkcm/pki';
import {
  type CertificateIssuerService,
  healthNow,
  type IssuedCertificate,
  type PluginHealth,
  parseConfiguration,
  pluginErrors,
} from '@openkcm/plugin-sdk';
import { Type } from '@openkcm/schema';

export const LocalCaConfiguration = Type.Object({
  directory: Type.String({ minLength: 1, description: 'Folder of the CA certificate and key (key 0600).' }),
  trustDomain: Type.String({ pattern: '^[a-z0-9.-]+$', default: 'openkcm.local' }),
  maxValidityHours: Type.Integer({ minimum: 1, maximum: 8760, default: 720 }),
});

const TENANT_ID = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** FR-2 for development: client certificates from a local CA, the tenant in a SPIFFE URI SAN. */
export class LocalCaCertificateIssuer implements CertificateIssuerService {
  readonly type = 'CertificateIssuerService' as const;
  private authority: LocalCertificateAuthority | undefined;
  private config: ReturnType<typeof parseConfiguration<typeof LocalCaConfiguration>> | undefined;

  constructor(readonly name = 'certificates-local-ca') {}

  async configure(configuration: unknown): Promise<void> {
    this.config = parseConfiguration(LocalCaConfiguration, configuration);
    this.authority = await LocalCertificateAuthority.open(this.config.directory, 'openkcm-components');
  }

  async issueClientCertificate(request: {
    tenantID: string;
    commonName: string;
    validityHours: number;
  }): Promise<IssuedCertificate> {
    if (!this.authority || !this.config)
      throw pluginErrors.invalidConfiguration('the certificate issuer is not configured');
    if (!TENANT_ID.test(request.tenantID))
      throw pluginErrors.invalidConfiguration(`tenantID "${request.tenantID}" must be a DNS-1123 label`);
    if (!TENANT_ID.test(request.commonName))
      throw pluginErrors.invalidConfiguration(`commonName "${request.commonName}" must be a DNS-1123 label`);
    const validityHours = Math.min(request.validityHours, this.config.maxValidityHours);
    const uri = `spiffe://${this.config.trustDomain}/tenant/${request.tenantID}/${request.commonName}`;
    const issued = await this.authority.issueClient({
      commonName: request.commonName,
      uris: [uri],
      validityHours,
    });
    return {
      certificatePem: issued.certPem,
      privateKeyPem: issued.keyPem,
      caPem: this.authority.caPem,
      notAfter: issued.notAfter.toISOString(),
    };
  }

  async trustBundle(): Promise<string> {
    if (!this.authority) throw pluginErrors.invalidConfiguration('the certificate issuer is not configured');
    return this.authority.caPem;
  }

  async health(): Promise<PluginHealth> {
    return this.authority
      ? healthNow(
          'healthy',
          'local CA (development): client certificates carry the tenant in a SPIFFE URI SAN',
          false,
        )
      : healthNow('unhealthy', 'not configured', false);
  }
}
