import type { StatusTone } from '../../../shared/api.js';

const WORDS: Record<StatusTone, string> = {
  good: 'good',
  warning: 'needs attention',
  bad: 'problem',
  neutral: '',
};

export function StatusDot({ tone }: { tone: StatusTone }) {
  return <span className={`dot dot-${tone}`} role="img" aria-label={WORDS[tone] || 'status'} />;
}
