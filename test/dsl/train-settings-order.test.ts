import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCvr } from '../../src/dsl/parse.ts';

// Settings whose value lists end where the next setting begins: each order must parse the same.
const SETTINGS = [
  'optimizer adam lr 1e-3 beta1 0.9',
  'loss categorical_crossentropy',
  'class_weights balanced',
  'batch 8',
  'epochs 3',
  'reduce_lr on val_loss factor 0.1 patience 4 min 1e-8',
  'early_stop on val_loss patience 25 restore_best',
] as const;

function program(order: readonly string[]): string {
  return `pipeline p {\n  train {\n${order.map((s) => `    ${s}\n`).join('')}  }\n}\n`;
}

describe('train block settings', () => {
  it('parse without diagnostics in every order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...SETTINGS], { minLength: SETTINGS.length }), (order) => {
        const { diagnostics, file } = parseCvr('order.cvr', program(order));
        expect(diagnostics).toEqual([]);
        const pipeline = file.items[0];
        expect(pipeline?.kind).toBe('pipeline');
        if (pipeline?.kind !== 'pipeline') return;
        const train = pipeline.statements.find((s) => s.kind === 'train');
        expect(train?.kind === 'train' && train.block?.earlyStop?.restoreBest).toBe(true);
        expect(train?.kind === 'train' && train.block?.optimizer?.params.map((p) => p.key.name)).toEqual(['lr', 'beta1']);
      }),
      { numRuns: 200 },
    );
  });
});
