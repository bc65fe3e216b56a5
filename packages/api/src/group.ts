export const GROUP = 'keychain.openkcm.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;

/** Set to a new value (a timestamp) to rotate a ServiceEncryptionKey once; kubectl users can do it too. */
export const ROTATE_NOW_ANNOTATION = 'keychain.openkcm.io/rotate-now';
/**
 * Who set rotate-now, written by the API server (never by the client: a MutatingAdmissionPolicy in a
 * cluster, the control plane's --requester-annotation locally), so a key's history names the person.
 */
export const ROTATE_NOW_REQUESTER_ANNOTATION = 'keychain.openkcm.io/rotate-now-requested-by';
/** Holds an Account while ServiceEncryptionKeys reference it, like Kubernetes' pvc-protection. */
export const ACCOUNT_IN_USE_FINALIZER = 'keychain.openkcm.io/in-use';
/** Holds an object until its counterpart in CMK is gone. */
export const CMK_CLEANUP_FINALIZER = 'keychain.openkcm.io/cmk-cleanup';
