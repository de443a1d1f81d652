import type { CodeInfo } from './types.ts';

/**
 * CVR4xx — values. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const valuesCodes = {
  CVR401: { severity: 'error', summary: 'A number is out of its range (lr > 0, batch ≥ 1, epochs ≥ 1, patience ≥ 0, image size ≥ 8, width in (0,1], …).' },
  CVR402: { severity: 'error', summary: 'A probability is outside [0, 1].' },
  CVR403: { severity: 'error', summary: 'A fraction is outside (0, 1) (validation, test fraction, plateau factor).' },
  CVR404: { severity: 'error', summary: 'k-fold needs K ≥ 2 folds.' },
  CVR405: { severity: 'error', summary: 'Unknown option value (optimizer, loss, metric, resize, normalize, class weights, augmentation, …).' },
  CVR406: { severity: 'error', summary: 'A required statement is missing: every pipeline needs `task`, `split`, at least one source and a model.' },
  CVR407: { severity: 'warning', summary: '`validation test` reuses the test set for validation; results are optimistic and `cvr audit` rejects it.' },
  CVR408: { severity: 'error', summary: 'Image channels must be 1 or 3.' },
  CVR409: { severity: 'error', summary: 'A number has the wrong unit (`rotate` takes degrees, fractions take `%` or a plain number below 1, counts take none).' },
  CVR410: { severity: 'error', summary: 'A task needs at least two classes.' },
  CVR411: { severity: 'error', summary: 'A holdout split needs exactly one of `test sources …` or `test N%`.' },
  CVR412: { severity: 'error', summary: 'A source is incomplete: no `folder`/`manifest`, or a manifest without image or label column.' },
  CVR413: { severity: 'error', summary: 'Unknown parameter key (optimizer, reduce_lr, early_stop or model options).' },
  CVR414: { severity: 'error', summary: 'A parameter is given twice.' },
  CVR415: { severity: 'error', summary: 'The test sources take every source: nothing is left to train on.' },
  CVR416: { severity: 'error', summary: 'The split cannot work with these sources (`leave_source_out` needs two sources; `given` needs a partition from the data).' },
  CVR417: { severity: 'error', summary: 'A whole number is required (batch, epochs, K, patience, size, seed, …).' },
  CVR418: { severity: 'warning', summary: 'No `seed`: 0 is used. State the seed so the run can be reproduced and reviewed.' },
  CVR419: { severity: 'error', summary: 'An augmentation op is malformed (a flip needs an axis; other ops need an amount).' },
  CVR420: { severity: 'error', summary: 'A `where` filter names a column that the headerless `columns …` list does not have.' },
  CVR421: { severity: 'error', summary: 'An image path template names a column that the headerless `columns …` list does not have.' },
  CVR422: { severity: 'warning', summary: '`alias` maps a spelling that is already a source name, or two spellings of one name are mapped twice.' },
  CVR423: { severity: 'error', summary: 'A Slurm time limit is not a duration (`90m`, `4h`, `2d`, `1d12h`) or Slurm\'s own `[D-]HH:MM:SS`.' },
  CVR424: { severity: 'error', summary: 'A Slurm memory size is not a whole number with a unit K, M, G or T (`32G`).' },
  CVR425: { severity: 'error', summary: 'A Slurm `gres` is not `name[:type][:count]` (`gpu:1`, `gpu:a100:2`).' },
  CVR426: { severity: 'error', summary: 'A Slurm partition name is empty or holds characters Slurm does not accept (letters, digits, `_ - .` only).' },
  CVR427: { severity: 'error', summary: 'A Slurm `cpus` or `retries` value is not a whole number in range (cpus 1–1024, retries 0–10).' },
  CVR428: { severity: 'error', summary: 'An `executor` block names an executor that takes none (only `executor slurm { … }` has settings).' },
  CVR429: { severity: 'error', summary: 'An `executor slurm { … }` block has a setting Slurm\'s executor does not know (it takes partition, gres, time, cpus, mem, retries).' },
  CVR440: { severity: 'error', summary: 'Unknown `dedupe` method (known: near).' },
  CVR441: { severity: 'error', summary: 'Unknown `dedupe near` setting (known: threshold, keep).' },
  CVR442: { severity: 'error', summary: '`dedupe near { threshold T }`: T must be a number in (0, 1] (a correlation; 0.95 by default).' },
  CVR443: { severity: 'error', summary: '`dedupe near { keep … }`: keep is `first` (the first copy in source order stays) or `none` (every copy is removed).' },
} as const satisfies Record<string, CodeInfo>;
