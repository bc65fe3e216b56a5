import { statusErrors } from '../http/status-error.js';

type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'doesnotexist' }
  | { key: string; op: '=' | '!='; value: string };

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean;

/** Splits on commas that are not inside a `(...)` value set. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of text) {
    if (character === '(') depth++;
    if (character === ')') depth--;
    if (character === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += character;
  }
  terms.push(current);
  return terms.map((term) => term.trim()).filter((term) => term.length > 0);
}

function parseRequirement(term: string): Requirement {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set) {
    const values = set[3]!
      .split(',')
      .map((value) => value.trim())
      .filter((value) => value.length > 0);
    return { key: set[1]!, op: set[2] as 'in' | 'notin', values };
  }
  const comparison = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s,]*)$/.exec(term);
  if (comparison) {
    return { key: comparison[1]!, op: comparison[2] === '!=' ? '!=' : '=', value: comparison[3]! };
  }
  const absent = /^!\s*([^\s!=]+)$/.exec(term);
  if (absent) return { key: absent[1]!, op: 'doesnotexist' };
  if (/^[^\s!=(),]+$/.test(term)) return { key: term, op: 'exists' };
  throw statusErrors.badRequest(`unable to parse requirement: "${term}" is not a valid label selector term`);
}

function matches(requirement: Requirement, labels: Record<string, string>): boolean {
  const value = labels[requirement.key];
  switch (requirement.op) {
    case 'exists':
      return value !== undefined;
    case 'doesnotexist':
      return value === undefined;
    case '=':
      return value === requirement.value;
    case '!=':
      return value !== requirement.value;
    case 'in':
      return value !== undefined && requirement.values.includes(value);
    case 'notin':
      return value === undefined || !requirement.values.includes(value);
  }
}

export function parseLabelSelector(text: string | null): LabelSelector {
  const requirements = text ? splitTerms(text).map(parseRequirement) : [];
  return (labels) => requirements.every((requirement) => matches(requirement, labels ?? {}));
}
