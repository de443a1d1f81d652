import type { EffectivePipeline } from '../effective.ts';
import type { Accept } from '../report.ts';

/** One small check over one effective pipeline, reporting through `accept`. */
export type Check = (p: EffectivePipeline, accept: Accept) => void;
