import axe from 'axe-core';
import type { Frame, Page } from 'playwright-core';

export interface Violation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Runs axe-core on the page as it is now and returns the serious and critical violations. */
export async function seriousViolations(page: Page | Frame): Promise<Violation[]> {
  // Evaluated through the debugging protocol, so the page's Content-Security-Policy stays as it is.
  await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const engine = (window as unknown as { axe: typeof axe }).axe;
    // A toast fades in and out: axe would measure its contrast mid-animation, at partial opacity.
    const result = await engine.run({ exclude: [['ui5-toast']] }, { resultTypes: ['violations'] });
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: String(violation.impact),
        help: violation.help,
        targets: violation.nodes.map((node) => JSON.stringify(node.target)),
      }));
  });
}
