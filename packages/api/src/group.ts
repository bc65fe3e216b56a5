export const GROUP = 'keychain.openkcm.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;

/** Set to a new value (a timestamp) to rotate a ServiceEncryptionKey once; kubectl users can do it too. */
export const ROTATE_NOW_ANNOTATION = 'keychain.openkcm.io/rotate-now';
/** Holds an Account while ServiceEncryptionKeys reference it, like Kubernetes' pvc-protection. */
export const ACCOUNT_IN_USE_FINALIZER = 'keychain.openkcm.io/in-use';
/** Holds an object until its counterpart in CMK is gone. */
export const CMK_CLEANUP_FINALIZER = 'keychain.openkcm.io/cmk-cleanup';
