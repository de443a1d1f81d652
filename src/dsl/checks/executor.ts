/**
 * `executor slurm { partition "gpu"  gres "gpu:1"  time 4h  cpus 8  mem 32G  retries 2 }`
 * (docs/executors.md): a known executor (CVR428), known settings (CVR429), and each value checked
 * as the command line's flags are (CVR423–427), at its place in the file.
 */
import { suggestion } from '../../diag/index.ts';
import type { EffectivePipeline } from '../effective.ts';
import type { Accept } from '../report.ts';
import { checkSlurmOptions, SLURM_OPTION_KEYS, slurmOptionsOfBlock } from '../slurm-options.ts';

export function checkExecutor(p: EffectivePipeline, accept: Accept): void {
  const stmt = p.executor;
  if (stmt === undefined) return;
  if (stmt.name.name !== 'slurm') {
    const hint = stmt.name.name === 'local' ? 'the local executor takes no block: leave the block out (and give `--jobs N` on the command line)' : suggestion(stmt.name.name, ['slurm']);
    accept('CVR428', stmt.name.span, `unknown executor "${stmt.name.name}" (the block is for slurm)`, hint === undefined ? {} : { hint });
    return;
  }
  for (const s of stmt.settings) {
    if ((SLURM_OPTION_KEYS as readonly string[]).includes(s.key.name)) continue;
    const hint = suggestion(s.key.name, SLURM_OPTION_KEYS);
    accept('CVR429', s.key.span, `executor slurm has no setting "${s.key.name}" (it takes ${SLURM_OPTION_KEYS.join(', ')})`, hint === undefined ? {} : { hint });
  }
  const { options, spans } = slurmOptionsOfBlock(stmt);
  for (const d of checkSlurmOptions(options, spans)) {
    if (d.span !== undefined) accept(d.code, d.span, d.message, d.hint === undefined ? {} : { hint: d.hint });
  }
}
