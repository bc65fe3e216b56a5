import fc from 'fast-check';

/** What an attacker or a careless client puts in a path segment: broken encodings, traversal, prototype names, length. */
export function hostileSegment(options: { minLength?: number; extra?: string[] } = {}): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ minLength: options.minLength ?? 0, maxLength: 40 }).map(encodeURIComponent),
    fc.constantFrom(
      '%',
      '%ZZ',
      '%E0%A4%A',
      '..%2F..',
      '__proto__',
      'constructor',
      '%00',
      'a'.repeat(300),
      ...(options.extra ?? []),
    ),
  );
}

/** Request bodies: any JSON, broken JSON and YAML, prototype keys and paths, deep nesting; plus a service's own. */
export function hostileBody(...extra: Array<fc.Arbitrary<string>>): fc.Arbitrary<string> {
  return fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.constantFrom(
      '{',
      'a: [b',
      'null',
      '"text"',
      '{"__proto__":{"x":1}}',
      '[{"op":"add","path":"/metadata/__proto__/x","value":1}]',
      `${'['.repeat(3000)}${']'.repeat(3000)}`,
    ),
    ...extra,
  );
}

/** What is wrong with an error answer, measured against the one shape every service promises. */
export function errorShapeProblems(answer: { status: number; body: Record<string, unknown> }): string[] {
  const problems: string[] = [];
  if (answer.status < 400 || answer.status >= 500) problems.push(`status ${answer.status} is not a 4xx`);
  for (const field of ['code', 'message', 'requestID'])
    if (typeof answer.body[field] !== 'string') problems.push(`no ${field}`);
  if (answer.body.status !== answer.status) problems.push('status in the body differs');
  return problems;
}
