/**
 * axe-core over the page as it stands, in the light and the dark theme: every violation fails the test,
 * listed with its rule, the elements and axe's own summary, so the failure says what to fix.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Rules axe leaves off by default that this app holds itself to: a control's accessible name contains
 * the words it shows (WCAG 2.5.3), which speech-input users say to press it.
 */
const EXTRA_RULES = { 'label-content-name-mismatch': { enabled: true } };

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/** Runs axe in both themes and returns the page to the theme it was in. */
export async function expectNoAxeViolations(page: Page, where: string): Promise<void> {
  const wasDark = await page.evaluate<boolean>('matchMedia("(prefers-color-scheme: dark)").matches');
  const found: string[] = [];
  try {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      found.push(...(await violations(page)).map((violation) => describe(violation, scheme)));
    }
  } finally {
    await page.emulateMedia({ colorScheme: wasDark ? 'dark' : 'light' });
  }
  if (found.length > 0) {
    throw new Error(`axe-core: ${found.length} violation(s) on ${where}\n${found.join('\n')}`);
  }
}

async function violations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy (script-src 'self')
  // does not govern; a <script> tag with this source would be refused, and rightly.
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const options = JSON.stringify({ rules: EXTRA_RULES, resultTypes: ['violations'] });
  return page.evaluate<AxeViolation[]>(
    `window.axe.run(document, ${options}).then((result) => result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    })))`,
  );
}

function describe(violation: AxeViolation, scheme: string): string {
  const nodes = violation.nodes
    .map((node) => `    ${node.target.join(' ')}: ${(node.failureSummary ?? '').replace(/\s+/g, ' ')}`)
    .join('\n');
  return `[${scheme}] ${violation.id} (${violation.impact ?? 'unknown'}): ${violation.help}\n${nodes}`;
}
