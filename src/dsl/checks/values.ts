/** Value ranges and known option names: image, augmentation, models, training, evaluation. */
import type { Ident, ModelOption, NamedNumber, NumberLit, PathMap } from '../ast.ts';
import { suggestion } from '../../diag/index.ts';
import type { EffectivePipeline } from '../effective.ts';
import type { Accept } from '../report.ts';
import {
  AUGMENT_OPS,
  CLASS_WEIGHT_MODES,
  EARLY_STOP_PARAMS,
  FLIP_AXES,
  LOSSES,
  METRICS,
  MODELS,
  MODEL_OPTIONS,
  MONITORED,
  NORMALIZE,
  OPTIMIZERS,
  OPTIMIZER_PARAMS,
  REDUCE_LR_PARAMS,
  RESIZE,
  WEIGHTS,
} from '../vocabulary.ts';
import { asFraction, checkCount, checkNonNegative, checkOpenFraction, checkPositive, checkProbability, checkUnit } from './numbers.ts';

/** Settings of a train block that take a number, and so can be mistaken for parameters. */
const TRAIN_SETTINGS: readonly string[] = ['batch', 'epochs'];

function checkOneOf(ident: Ident | undefined, set: readonly string[], what: string, accept: Accept): boolean {
  if (ident === undefined || set.includes(ident.name)) return true;
  accept('CVR405', ident.span, `unknown ${what} "${ident.name}"`, { hint: suggestion(ident.name, set) });
  return false;
}

/** Known keys, each once; returns the valid parameters by key. */
function checkParams(params: readonly NamedNumber[], keys: readonly string[], what: string, accept: Accept): Map<string, NumberLit> {
  const byKey = new Map<string, NamedNumber>();
  for (const param of params) {
    if (!keys.includes(param.key.name)) {
      // `key number` pairs run on until something else starts, so a train setting written after
      // `optimizer …` on the next line (`batch 8`) lands here: say so rather than only "unknown".
      const setting = TRAIN_SETTINGS.includes(param.key.name);
      accept('CVR413', param.key.span, `unknown ${what} parameter "${param.key.name}"`, {
        hint: setting ? `\`${param.key.name}\` was read as part of \`${what}\`: write it before the \`${what}\` line` : suggestion(param.key.name, keys),
      });
      continue;
    }
    const earlier = byKey.get(param.key.name);
    if (earlier !== undefined) {
      accept('CVR414', param.key.span, `${what} parameter "${param.key.name}" is given twice`, { related: [{ message: 'first given here', span: earlier.span }] });
      continue;
    }
    byKey.set(param.key.name, param);
  }
  return new Map([...byKey].map(([k, v]) => [k, v.value]));
}

export function checkSeed(p: EffectivePipeline, accept: Accept): void {
  if (p.seed === undefined) {
    accept('CVR418', p.decl.name.span, `pipeline "${p.name}" states no seed; 0 is used`, { hint: 'add `seed N`' });
    return;
  }
  checkCount(p.seed.value, 0, 'the seed', accept);
}

export function checkImage(p: EffectivePipeline, accept: Accept): void {
  const image = p.image;
  if (image === undefined) return;
  checkCount(image.width, 8, 'the image width', accept);
  checkCount(image.height, 8, 'the image height', accept);
  if (image.channels !== undefined && checkUnit(image.channels, ['none'], 'channels', accept) && image.channels.value !== 1 && image.channels.value !== 3) {
    accept('CVR408', image.channels.span, `channels must be 1 or 3, not ${image.channels.raw}`);
  }
  checkOneOf(image.resize, RESIZE, 'resize method', accept);
  checkOneOf(image.normalize, NORMALIZE, 'normalization', accept);
}

export function checkAugment(p: EffectivePipeline, accept: Accept): void {
  for (const op of p.augment?.ops ?? []) {
    if (!checkOneOf(op.op, AUGMENT_OPS, 'augmentation', accept)) continue;
    checkProbability(op.p, 'p', accept);
    if (op.op.name === 'flip') {
      if (op.axis === undefined) accept('CVR419', op.span, 'a flip needs an axis', { hint: '`flip horizontal` or `flip vertical`' });
      else checkOneOf(op.axis, FLIP_AXES, 'flip axis', accept);
      continue;
    }
    if (op.amount === undefined) {
      accept('CVR419', op.span, `\`${op.op.name}\` needs an amount`, { hint: op.op.name === 'rotate' ? 'e.g. `rotate 15deg p 0.45`' : `e.g. \`${op.op.name} 10% p 0.2\`` });
      continue;
    }
    if (op.op.name === 'rotate') {
      if (checkUnit(op.amount, ['deg', 'none'], 'rotate', accept) && !(op.amount.value >= 0 && op.amount.value <= 180)) {
        accept('CVR401', op.amount.span, `rotation must be between 0 and 180 degrees, not ${op.amount.raw}`);
      }
    } else if (checkUnit(op.amount, ['percent', 'none'], op.op.name, accept)) {
      const v = asFraction(op.amount);
      if (!(v >= 0 && v <= 1)) accept('CVR401', op.amount.span, `${op.op.name} must be between 0 and 100%, not ${op.amount.raw}`);
    }
  }
}

function checkModelOptions(options: readonly ModelOption[], models: readonly string[], accept: Accept): void {
  const seen = new Map<string, ModelOption>();
  for (const option of options) {
    const key = option.key.name;
    if (!(MODEL_OPTIONS as readonly string[]).includes(key)) {
      accept('CVR413', option.key.span, `unknown model option "${key}"`, { hint: suggestion(key, MODEL_OPTIONS) });
      continue;
    }
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      accept('CVR414', option.key.span, `model option "${key}" is given twice`, { related: [{ message: 'first given here', span: earlier.span }] });
      continue;
    }
    seen.set(key, option);
    const v = option.value;
    switch (key) {
      case 'weights':
        if (v.kind === 'ident') checkOneOf(v, WEIGHTS, 'weights', accept);
        else if (v.kind === 'number') accept('CVR405', v.span, 'weights take `none`, `imagenet`, a file or folder path string, or `{ resnet50 "…" xception "…" }`');
        else if (v.kind === 'path-map') checkBranchWeights(v, models, accept);
        break;
      case 'width':
        if (v.kind !== 'number') accept('CVR401', v.span, 'width takes a number in (0, 1]');
        else if (checkUnit(v, ['none', 'percent'], 'width', accept) && !(asFraction(v) > 0 && asFraction(v) <= 1)) accept('CVR401', v.span, `width must be in (0, 1], not ${v.raw}`);
        break;
      case 'dropout':
        if (v.kind !== 'number') accept('CVR402', v.span, 'dropout takes a probability');
        else checkProbability(v, 'dropout', accept);
        break;
      case 'bn_momentum':
        if (v.kind !== 'number') accept('CVR402', v.span, 'bn_momentum takes a number in [0, 1)');
        else checkProbability(v, 'bn_momentum', accept);
        break;
      case 'heads':
        if (v.kind !== 'number') accept('CVR401', v.span, 'heads takes a whole number');
        else checkCount(v, 1, 'heads', accept);
        break;
      default:
        break;
    }
  }
}

/** The branches a model's `weights { … }` may name (CVR-Net: its ResNet-50 and Xception). */
const BRANCHES: Readonly<Record<string, readonly string[]>> = { cvrnet: ['resnet50', 'xception'] };

function checkBranchWeights(v: PathMap, models: readonly string[], accept: Accept): void {
  const without = models.filter((m) => BRANCHES[m] === undefined);
  if (without.length > 0) {
    accept('CVR725', v.span, `${without.join(', ')} ${without.length === 1 ? 'has' : 'have'} no branches: give one path, \`weights "file.h5"\``);
    return;
  }
  for (const e of v.entries) {
    const allowed = models.flatMap((m) => BRANCHES[m] ?? []);
    if (!allowed.includes(e.key.name)) accept('CVR725', e.key.span, `"${e.key.name}" is no branch of ${models.join(', ')}`, { hint: `branches: ${allowed.join(', ')}` });
  }
}

export function checkModels(p: EffectivePipeline, accept: Accept): void {
  const stmt = p.model;
  if (stmt === undefined) return;
  const names = stmt.kind === 'model' ? [stmt.name] : stmt.models;
  const seen = new Map<string, Ident>();
  for (const name of names) {
    const earlier = seen.get(name.name);
    if (earlier !== undefined) {
      accept('CVR313', name.span, `model "${name.name}" is listed twice`, { related: [{ message: 'first listed here', span: earlier.span }] });
      continue;
    }
    seen.set(name.name, name);
    if (!(MODELS as readonly string[]).includes(name.name)) {
      accept('CVR309', name.span, `unknown model "${name.name}"`, { hint: suggestion(name.name, MODELS) ?? `the registry has: ${MODELS.join(', ')}` });
    }
  }
  checkModelOptions(stmt.options, names.map((n) => n.name), accept);
}

export function checkTrain(p: EffectivePipeline, accept: Accept): void {
  const train = p.train;
  if (train === undefined) return;
  if (train.optimizer !== undefined) {
    checkOneOf(train.optimizer.name, OPTIMIZERS, 'optimizer', accept);
    const params = checkParams(train.optimizer.params, OPTIMIZER_PARAMS, 'optimizer', accept);
    checkPositive(params.get('lr'), 'the learning rate', accept);
    for (const beta of ['beta1', 'beta2']) {
      const b = params.get(beta);
      if (b !== undefined && checkUnit(b, ['none'], beta, accept) && !(b.value >= 0 && b.value < 1)) accept('CVR401', b.span, `${beta} must be in [0, 1), not ${b.raw}`);
    }
    checkNonNegative(params.get('momentum'), 'momentum', accept);
    checkPositive(params.get('epsilon'), 'epsilon', accept);
    checkNonNegative(params.get('decay'), 'decay', accept);
    checkNonNegative(params.get('rho'), 'rho', accept);
  }
  checkOneOf(train.loss, LOSSES, 'loss', accept);
  if (train.classWeights?.mode !== undefined) checkOneOf(train.classWeights.mode, CLASS_WEIGHT_MODES, 'class weight mode', accept);
  for (const w of train.classWeights?.explicit ?? []) checkPositive(w.weight, `the weight of ${w.className.name}`, accept);
  checkCount(train.batch, 1, 'the batch size', accept);
  checkCount(train.epochs, 1, 'the number of epochs', accept);
  if (train.reduceLr !== undefined) {
    checkOneOf(train.reduceLr.metric, MONITORED, 'monitored metric', accept);
    const params = checkParams(train.reduceLr.params, REDUCE_LR_PARAMS, 'reduce_lr', accept);
    checkOpenFraction(params.get('factor'), 'the plateau factor', accept);
    checkCount(params.get('patience'), 0, 'patience', accept);
    checkCount(params.get('cooldown'), 0, 'cooldown', accept);
    checkNonNegative(params.get('min'), 'the minimum learning rate', accept);
    checkNonNegative(params.get('min_delta'), 'min_delta', accept);
  }
  if (train.earlyStop !== undefined) {
    checkOneOf(train.earlyStop.metric, MONITORED, 'monitored metric', accept);
    const params = checkParams(train.earlyStop.params, EARLY_STOP_PARAMS, 'early_stop', accept);
    checkCount(params.get('patience'), 0, 'patience', accept);
    checkNonNegative(params.get('min_delta'), 'min_delta', accept);
  }
}

export function checkEvaluate(p: EffectivePipeline, accept: Accept): void {
  const ev = p.evaluate;
  if (ev === undefined) return;
  for (const metric of ev.metrics ?? []) checkOneOf(metric, METRICS, 'metric', accept);
  checkCount(ev.bootstrap, 0, 'bootstrap resamples', accept);
  if (ev.gradcam !== undefined) {
    checkCount(ev.gradcam.top, 1, 'gradcam top', accept);
    checkProbability(ev.gradcam.threshold, 'the gradcam threshold', accept);
  }
}

export function checkRequired(p: EffectivePipeline, accept: Accept): void {
  const missing: string[] = [];
  if (p.task === undefined) missing.push('`task A vs B`');
  if (p.split === undefined) missing.push('`split …`');
  if (p.sources.length === 0 && p.manifests.length === 0) missing.push('a source');
  if (p.model === undefined) missing.push('`model NAME` or `compare models …`');
  if (missing.length === 0) return;
  accept('CVR406', p.decl.name.span, `pipeline "${p.name}" is missing ${missing.join(', ')}`, {
    hint: p.decl.extends === undefined ? 'add the statements, or `extends` a pipeline that has them' : undefined,
    data: { missing },
  });
}
