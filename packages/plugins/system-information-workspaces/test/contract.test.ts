import { systemInformationContract } from '@openkcm/plugin-sdk/testing';
import { WorkspaceSystemInformation } from '../src/index.js';

systemInformationContract('the workspace system information plugin', async () => {
  const plugin = new WorkspaceSystemInformation();
  await plugin.configure({ regions: ['eu-central-1', 'us-east-1'] });
  return {
    plugin,
    validTenant: { workspace: 'root:orgs:acme', region: 'eu-central-1', audiences: ['openkcm'] },
    invalidRegion: 'mars-north-1',
    cleanup: async () => {},
  };
});
