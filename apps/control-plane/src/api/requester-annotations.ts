import type { ObjectMeta } from '../kube-object.js';

/**
 * "When a write sets annotation K, record who asked in annotation R": what a cluster operator does
 * with a MutatingAdmissionPolicy reading `request.userInfo.username`. The recorder is always the
 * server's word, so a client cannot put another user's name in it.
 */
export type RequesterAnnotations = ReadonlyMap<string, string>;

export function stampRequester(
  rules: RequesterAnnotations,
  before: ObjectMeta | undefined,
  after: ObjectMeta,
  requester: string,
): void {
  if (rules.size === 0) return;
  const annotations = { ...after.annotations };
  for (const [watched, recorder] of rules) {
    const value = annotations[watched];
    const previous = before?.annotations?.[watched];
    const recorded = before?.annotations?.[recorder];
    if (value === undefined) delete annotations[recorder];
    else if (value !== previous) annotations[recorder] = requester;
    else if (recorded !== undefined) annotations[recorder] = recorded;
    else delete annotations[recorder];
  }
  after.annotations = annotations;
}

/** `--requester-annotation keychain.openkcm.io/rotate-now=keychain.openkcm.io/rotate-now-requested-by` */
export function parseRequesterAnnotations(flags: string[]): RequesterAnnotations {
  const rules = new Map<string, string>();
  for (const flag of flags) {
    const [watched, recorder, extra] = flag.split('=');
    if (!watched || !recorder || extra !== undefined)
      throw new Error(
        `--requester-annotation "${flag}" must be <annotation>=<annotation recording who set it>`,
      );
    rules.set(watched, recorder);
  }
  return rules;
}
