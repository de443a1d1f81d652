/** `cvr init [DIR]`: scaffold a project (cvr.json, pipelines/, data/) without overwriting anything. */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { cvrVersion } from '../../diag/index.ts';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine, usageError } from '../args.ts';
import { INIT } from '../specs.ts';
import { PROJECT_FILE, findProjectRoot } from '../project.ts';

const STARTER = `# A starter pipeline. Make its data, then audit and run it:
#   cvr synth --preset tiny --out data/tiny
#   cvr audit pipelines/starter.cvr
#   cvr run pipelines/starter.cvr
# data: cvr synth --preset tiny --out data/tiny
pipeline starter {
  title "Starter: NCV vs CVP over three phantom sources"
  seed 1
  classes covid

  source alpha {
    folder "../data/tiny/alpha"
    map {
      "NOR" -> NOR
      "OBP" -> OBP
      "OVP" -> OVP
      "CVP" -> CVP
    }
  }

  source beta {
    folder "../data/tiny/beta"
    map {
      "NOR" -> NOR
      "OBP" -> OBP
      "OVP" -> OVP
      "CVP" -> CVP
    }
  }

  task NCV vs CVP

  split holdout {
    test sources beta
  }

  image {
    size 32 x 32
    channels 1
  }

  model resnet50 {
    width 0.0625
  }

  train {
    optimizer adam lr 1e-3
    batch 8
    epochs 2
  }

  evaluate {
    metrics accuracy, precision, recall, f1, auc
    confusion
    by_source
  }
}
`;

const DATA_README = `# data/

Datasets go here, one folder per source, referenced from the pipelines by relative paths
(\`folder "../data/<source>"\` or \`manifest "../data/<source>/metadata.csv" { … }\`).
Keep images of real patients out of version control: this folder is in .gitignore.

Phantoms for trying things: \`cvr synth --preset tiny --out data/tiny\`.
`;

const GITIGNORE = `# cvr: the cache, run folders and datasets stay out of version control
.cvr-cache/
runs/
data/*
!data/README.md
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = settleCommandLine(INIT, argv, io);
  if (typeof args === 'number') return args;
  const dir = resolve(io.cwd, args.positional[0] ?? '.');
  const enclosing = findProjectRoot(dir);
  if (enclosing !== undefined) {
    io.stderr(`cvr init: ${relative(io.cwd, join(enclosing, PROJECT_FILE)) || PROJECT_FILE} already makes ${enclosing} a project; nothing written\n`);
    return EXIT.failed;
  }
  if (existsSync(dir) && readdirSync(dir).length > 0 && args.values.force !== true) {
    return usageError(INIT, `${dir} is not empty; pass --force to scaffold into it anyway (no file is overwritten)`, io);
  }
  const files: ReadonlyArray<readonly [string, string]> = [
    [PROJECT_FILE, `${JSON.stringify({ name: basename(dir), cvr: cvrVersion(), pipelines: 'pipelines', data: 'data' }, null, 2)}\n`],
    ['pipelines/starter.cvr', STARTER],
    ['data/README.md', DATA_README],
    ['.gitignore', GITIGNORE],
  ];
  const written: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    if (existsSync(path)) continue;
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, text, { flag: 'wx' });
    written.push(name);
  }
  const shown = relative(io.cwd, dir) || '.';
  io.stdout(`cvr init: created a project in ${shown}: ${written.join(', ')}\nnext: cd ${shown} && cvr synth --preset tiny --out data/tiny && cvr run pipelines/starter.cvr\n`);
  return EXIT.ok;
}
