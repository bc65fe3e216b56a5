import { UserManager } from 'oidc-client-ts';

// Runs in the hidden iframe of a silent renewal: hands the new tokens to the shell's window.
void new UserManager({ authority: '', client_id: '', redirect_uri: '' }).signinCallback();
