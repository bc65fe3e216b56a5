import { isRecord } from '../kube-object.js';

type Step =
  | { type: 'field'; name: string }
  | { type: 'index'; index: number }
  | { type: 'all' }
  | { type: 'filter'; path: string[]; equals: string };

/**
 * The JSONPath subset printer columns use: `.a.b`, `.a[0]`, `.a[*]` and
 * `.a[?(@.type=="Ready")].status`. Anything else yields no value, as an empty column.
 */
export function compileJsonPath(expression: string): (value: unknown) => unknown[] {
  const steps = parseSteps(expression.replace(/^\{|\}$/g, '').trim());
  return (value) => {
    if (!steps) return [];
    let current: unknown[] = [value];
    for (const step of steps) current = current.flatMap((item) => apply(step, item));
    return current;
  };
}

function parseSteps(expression: string): Step[] | undefined {
  const steps: Step[] = [];
  const pattern =
    /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\*\]|\[\?\(@\.([A-Za-z0-9_.-]+)\s*==\s*["']([^"']*)["']\)\]|\['([^']+)'\]/y;
  let position = 0;
  while (position < expression.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(expression);
    if (!match) return undefined;
    position = pattern.lastIndex;
    if (match[1] !== undefined) steps.push({ type: 'field', name: match[1] });
    else if (match[2] !== undefined) steps.push({ type: 'index', index: Number(match[2]) });
    else if (match[3] !== undefined)
      steps.push({ type: 'filter', path: match[3].split('.'), equals: match[4] ?? '' });
    else if (match[5] !== undefined) steps.push({ type: 'field', name: match[5] });
    else steps.push({ type: 'all' });
  }
  return steps;
}

function apply(step: Step, value: unknown): unknown[] {
  switch (step.type) {
    case 'field':
      return isRecord(value) && value[step.name] !== undefined ? [value[step.name]] : [];
    case 'index':
      return Array.isArray(value) && step.index < value.length ? [value[step.index]] : [];
    case 'all':
      return Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [];
    case 'filter':
      return Array.isArray(value)
        ? value.filter((item) => {
            let current: unknown = item;
            for (const name of step.path) current = isRecord(current) ? current[name] : undefined;
            return current !== undefined && String(current) === step.equals;
          })
        : [];
  }
}
