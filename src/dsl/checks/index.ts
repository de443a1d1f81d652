/**
 * Every semantic check, run in this order over each effective pipeline. Each is one small
 * function reporting through `accept`; all of them run, so all errors of the phase are reported
 * together.
 */
import type { Check } from './types.ts';
import { checkDuplicateClasses, checkMapTargets, checkTaskClasses, checkTaskDisjoint, checkUnionCycles, checkUnionMembers, checkWeightAndGradcamClasses } from './classes.ts';
import { checkExecutor } from './executor.ts';
import { checkProbes } from './probes.ts';
import { checkDedupe } from './dedupe.ts';
import { checkSourceDefinitions } from './sources.ts';
import { checkRealMetadataForms } from './real-metadata.ts';
import { checkSplitFitsSources, checkSplitShape, checkTestSources } from './split.ts';
import { checkAugment, checkEvaluate, checkImage, checkModels, checkRequired, checkSeed, checkTrain } from './values.ts';

export const CHECKS: readonly Check[] = [
  checkRequired,
  checkSeed,
  checkDuplicateClasses,
  checkUnionMembers,
  checkUnionCycles,
  checkTaskClasses,
  checkTaskDisjoint,
  checkSourceDefinitions,
  checkRealMetadataForms,
  checkMapTargets,
  checkSplitShape,
  checkTestSources,
  checkSplitFitsSources,
  checkImage,
  checkAugment,
  checkModels,
  checkTrain,
  checkWeightAndGradcamClasses,
  checkEvaluate,
  checkProbes,
  checkExecutor,
  checkDedupe,
];

export type { Check } from './types.ts';
