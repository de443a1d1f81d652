/** Reading numbers with units, and the range checks most value checks share. */
import type { NumberLit } from '../ast.ts';
import type { Accept } from '../report.ts';

/** A fraction: `20%` → 0.2; a plain number is taken as is. */
export function asFraction(n: NumberLit): number {
  return n.unit === 'percent' ? n.value / 100 : n.value;
}

/** Reports a unit other than the allowed ones; true when the unit is fine. */
export function checkUnit(n: NumberLit, allowed: readonly NumberLit['unit'][], what: string, accept: Accept): boolean {
  if (allowed.includes(n.unit)) return true;
  const shown = allowed.map((u) => (u === 'none' ? 'a plain number' : u === 'percent' ? 'a percentage (10%)' : 'degrees (15deg)'));
  accept('CVR409', n.span, `${what} takes ${shown.join(' or ')}, not "${n.raw}"`);
  return false;
}

/** A whole number at least `min`, without unit. */
export function checkCount(n: NumberLit | undefined, min: number, what: string, accept: Accept): void {
  if (n === undefined || !checkUnit(n, ['none'], what, accept)) return;
  if (!Number.isInteger(n.value)) accept('CVR417', n.span, `${what} must be a whole number, not ${n.raw}`);
  else if (n.value < min) accept('CVR401', n.span, `${what} must be at least ${min}, not ${n.raw}`);
}

export function checkProbability(n: NumberLit | undefined, what: string, accept: Accept): void {
  if (n === undefined || !checkUnit(n, ['none', 'percent'], what, accept)) return;
  const v = asFraction(n);
  if (!(v >= 0 && v <= 1)) accept('CVR402', n.span, `${what} must be a probability in [0, 1], not ${n.raw}`);
}

/** A fraction strictly between 0 and 1 (`20%` or `0.2`). */
export function checkOpenFraction(n: NumberLit | undefined, what: string, accept: Accept): void {
  if (n === undefined || !checkUnit(n, ['none', 'percent'], what, accept)) return;
  const v = asFraction(n);
  if (!(v > 0 && v < 1)) accept('CVR403', n.span, `${what} must be between 0 and 1 (exclusive), not ${n.raw}`, { hint: 'write it as a percentage (20%) or a fraction (0.2)' });
}

export function checkPositive(n: NumberLit | undefined, what: string, accept: Accept): void {
  if (n === undefined || !checkUnit(n, ['none'], what, accept)) return;
  if (!(n.value > 0)) accept('CVR401', n.span, `${what} must be greater than 0, not ${n.raw}`);
}

export function checkNonNegative(n: NumberLit | undefined, what: string, accept: Accept): void {
  if (n === undefined || !checkUnit(n, ['none'], what, accept)) return;
  if (!(n.value >= 0)) accept('CVR401', n.span, `${what} must not be negative, not ${n.raw}`);
}
