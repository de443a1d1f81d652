/**
 * Every command's options, as data. Kept apart from the commands' code so that `cvr --help`,
 * `cvr help CMD`, did-you-mean and shell completion need no command module loaded (a command's
 * module may pull in tfjs or Ink).
 */
import { SHARED, type CommandSpec } from './args.ts';

export const CHECK = {
  name: 'check',
  summary: 'parse, resolve and check .cvr files (no data read)',
  synopsis: '[--format text|json] FILE…',
  description: 'Parses the .cvr files, resolves imports and extends, and runs the semantic checks.\nNo data is read. Exit code 0 when there are no errors (warnings allowed), 1 when there are.',
  options: { format: SHARED.format },
  positionals: { name: 'FILE', min: 1, max: Infinity },
} as const satisfies CommandSpec;

export const FMT = {
  name: 'fmt',
  summary: 'print the canonical form; --write, --check; `-` reads stdin',
  synopsis: '[--write | --check] FILE… | [--check] -',
  description:
    'Prints each .cvr file in canonical form (one statement a line, two-space indent, a fixed order\nof settings inside blocks, comments kept). `-` reads the text from standard input and prints\nits canonical form on standard output (diagnostics on standard error and exit 1 when it does not\nparse), for format-on-save in an editor.',
  options: {
    write: { kind: 'boolean', help: 'rewrite the files that are not in canonical form' },
    check: { kind: 'boolean', help: 'print the files that are not in canonical form and exit 1 if there are any' },
  },
  positionals: { name: 'FILE', min: 1, max: Infinity },
} as const satisfies CommandSpec;

export const AUDIT = {
  name: 'audit',
  summary: 'scan sources, assign splits, run the bias audit',
  synopsis: 'FILE [--pipeline NAME] [--metadata-only] [--seed N] [--format text|json] [--frozen [--lock LOCKFILE]] [--cache DIR]',
  description:
    "Scans each pipeline's sources, maps labels, assigns the split and audits the design: counts per\nsource × class × partition, the source-only baseline, Cramér's V, independence of the test set,\nduplicates, imbalance. Without --metadata-only every image is read and hashed (sha256), and\nprepared into the cache (as `cvr run` would) for the near-duplicate search (docs/dedupe.md).\n--frozen fails when the data no longer matches the lock file (default FILE with .lock.json).\nExit code 0 when there are no errors (warnings allowed), 1 when there are.",
  options: {
    pipeline: SHARED.pipeline,
    'metadata-only': { kind: 'boolean', help: 'use manifests and folder listings; open no image' },
    seed: SHARED.seed,
    format: SHARED.format,
    frozen: { kind: 'boolean', help: 'fail when the data no longer matches the lock file' },
    lock: { kind: 'string', value: 'LOCKFILE', help: 'the lock file for --frozen (default FILE with .lock.json)' },
    cache: SHARED.cache,
  },
  positionals: { name: 'FILE', min: 1, max: 1 },
} as const satisfies CommandSpec;

export const PLAN = {
  name: 'plan',
  summary: 'print the execution DAG (--format json, --dot)',
  synopsis: 'FILE [--pipeline NAME] [--format text|json] [--dot] [--cache DIR] [--seed N] [--engine E]',
  description:
    "Prints each pipeline's DAG: nodes in run order with their content-hash keys and inputs, and\nwhich are already in the cache (<cache>/nodes/<key>/). The sources are listed (not read) so\nthat the scan keys cover the file lists. --dot prints Graphviz. The keys are `cvr run`'s: the\nengine (--engine, else the file's `engine`, else auto) is resolved the same way, so after a\nfinished run every node shows as cached.",
  options: {
    pipeline: SHARED.pipeline,
    format: SHARED.format,
    dot: { kind: 'boolean', help: 'print the DAG as Graphviz' },
    json: { kind: 'boolean', help: 'the same as --format json' },
    cache: SHARED.cache,
    seed: SHARED.seed,
    engine: SHARED.engine,
  },
  positionals: { name: 'FILE', min: 1, max: 1 },
} as const satisfies CommandSpec;

export const LOCK = {
  name: 'lock',
  summary: 'write the resolved data fingerprint',
  synopsis: 'FILE [--out LOCKFILE] [--pipeline NAME] [--metadata-only] [--seed N]',
  description:
    "Scans every pipeline's sources, reads and hashes every image (unless --metadata-only), assigns\nthe splits, and writes the fingerprint (per-source file lists and their hashes, the seed, the\nsplit-assignment hash, versions) to LOCKFILE (default FILE with .lock.json).\n`cvr audit FILE --frozen` then fails when the data no longer matches.",
  options: {
    out: { kind: 'string', value: 'LOCKFILE', help: 'where to write (default FILE with .lock.json)' },
    pipeline: SHARED.pipeline,
    'metadata-only': { kind: 'boolean', help: 'use manifests and folder listings; open no image' },
    seed: SHARED.seed,
  },
  positionals: { name: 'FILE', min: 1, max: 1 },
} as const satisfies CommandSpec;

export const RUN = {
  name: 'run',
  summary: 'run a pipeline (resumes from the cache)',
  synopsis: 'FILE [--pipeline NAME] [--engine E] [--out DIR] [--events F] [--seed N] [--cache DIR] [--jobs N] [--executor local|slurm …]',
  description:
    "Runs one pipeline of FILE: audit, training and evaluation, with a live view on a terminal and a\nplain log otherwise. Every finished step is cached (--cache DIR, or CVR_CACHE_DIR, default\n.cvr-cache/ at the project's root), so a rerun reuses what is unchanged and an interrupted run\nresumes. Ctrl-C stops at the next batch boundary; run the same command again to resume.",
  options: {
    pipeline: SHARED.pipeline,
    engine: SHARED.engine,
    seed: SHARED.seed,
    out: { kind: 'string', value: 'DIR', help: 'the run folder (default runs/<pipeline>/<timestamp>)' },
    events: { kind: 'string', value: 'F', help: 'also write every event as one JSON object per line to F' },
    cache: SHARED.cache,
    jobs: { kind: 'integer', value: 'N', min: 1, help: 'run up to N independent nodes at once, each in its own worker process (default 1);\n                  the results are the same bytes whatever N' },
    executor: { kind: 'choice', value: 'local|slurm', choices: ['local', 'slurm'], help: 'where nodes run: here (default) or as Slurm jobs (training, prediction, metrics)' },
    partition: { kind: 'string', value: 'P', help: 'slurm: the partition (sbatch --partition)' },
    gres: { kind: 'string', value: 'G', help: 'slurm: generic resources of each job, e.g. gpu:1' },
    time: { kind: 'string', value: 'T', help: 'slurm: time limit of each job: 90m, 4h, 1d12h' },
    cpus: { kind: 'integer', value: 'N', min: 1, help: 'slurm: CPUs of each job (sbatch --cpus-per-task)' },
    mem: { kind: 'string', value: 'M', help: 'slurm: memory of each job, e.g. 32G' },
    retries: { kind: 'integer', value: 'N', min: 0, help: 'slurm: resubmissions of a job that failed (default 1; a cancelled one never)' },
  },
  positionals: { name: 'FILE', min: 1, max: 1 },
} as const satisfies CommandSpec;

/** Internal: one node of a run, in a worker process of `cvr run --jobs N` or a Slurm job. Not listed. */
export const RUN_NODE = {
  name: 'run-node',
  summary: 'internal: run one node of a pipeline against the cache (workers, Slurm jobs)',
  synopsis: 'FILE --pipeline NAME --seed N --engine E --cache DIR --out DIR (--key K | --serve)',
  description:
    'Plans FILE again (or reads the plan the run saved, --prepared) and runs the node with key K (its inputs must be in the cache), or, with\n--serve, runs the nodes a parent `cvr run --jobs N` sends over its IPC channel. It works under\nthe cache lock of the run that started it and takes none itself.',
  options: {
    pipeline: SHARED.pipeline,
    engine: SHARED.engine,
    seed: SHARED.seed,
    cache: SHARED.cache,
    out: { kind: 'string', value: 'DIR', help: 'the run folder' },
    key: { kind: 'string', value: 'K', help: 'the cache key of the node to run' },
    prepared: { kind: 'string', value: 'F', help: 'the plan the run saved (prepared.json): start from it instead of planning FILE again' },
    serve: { kind: 'boolean', help: 'serve a parent over IPC' },
    events: { kind: 'string', value: 'F', help: 'append the node\'s events, one JSON object per line, to F' },
  },
  positionals: { name: 'FILE', min: 1, max: 1 },
} as const satisfies CommandSpec;

export const STATUS = {
  name: 'status',
  summary: 'the Slurm jobs of a run folder and their states',
  synopsis: 'RUN_DIR [--format text|json]',
  description:
    'Lists the Slurm jobs `cvr run --executor slurm` submitted for RUN_DIR (RUN_DIR/slurm/jobs.json):\nper node its job id, its state now (squeue/scontrol, else sacct) and its log file.',
  options: { format: SHARED.format },
  positionals: { name: 'RUN_DIR', min: 1, max: 1 },
} as const satisfies CommandSpec;

export const CANCEL = {
  name: 'cancel',
  summary: 'cancel the Slurm jobs of a run folder',
  synopsis: 'RUN_DIR',
  description: 'Cancels (scancel) every Slurm job `cvr run --executor slurm` submitted for RUN_DIR. What finished\nis cached; running the same `cvr run` again resubmits only the rest.',
  options: {},
  positionals: { name: 'RUN_DIR', min: 1, max: 1 },
} as const satisfies CommandSpec;

export const CACHE = {
  name: 'cache',
  summary: 'inspect, verify (sha256 of every file) and clean the node cache',
  synopsis: 'info|verify|gc [--cache DIR] [--discard]',
  description:
    "info     what the cache holds: entries by kind, preprocessed shards, sizes, leftovers\nverify   check every entry's files against the sizes and sha256 digests recorded when it was\n         written (large files too); exit 1 when one is corrupt. --discard removes corrupt\n         entries (the next run recomputes them)\ngc       remove what no entry uses: unfinished entry folders, staging leftovers, shards no\n         entry references, files of the old prep layout, scan-memo lines of vanished files",
  options: {
    cache: SHARED.cache,
    discard: { kind: 'boolean', help: 'verify: remove corrupt entries' },
  },
  positionals: { name: 'action (info, verify or gc)', min: 1, max: 1 },
} as const satisfies CommandSpec;

export const REPORT = {
  name: 'report',
  summary: 're-write report.md / report.html of a run folder',
  synopsis: 'RUN_DIR…',
  description:
    'Writes report.md (with plots/*.png) and a self-contained report.html into each run folder, from\nits metrics.json, audit.json, predictions.csv, events.ndjson and gradcam/ images.',
  options: {},
  positionals: { name: 'RUN_DIR', min: 1, max: Infinity },
} as const satisfies CommandSpec;

export const DIFF = {
  name: 'diff',
  summary: 'compare two .cvr files, lock files or run folders',
  synopsis: '[--format text|json|md] [--pipeline A:B] A B',
  description:
    'A and B are two .cvr files (the semantic changes of the resolved pipelines), two lock files\n(images added/removed per source, changed split assignment) or two run folders (metric deltas,\neach marked whether it exceeds the fold std or the bootstrap interval: a table first).\n--pipeline A:B compares pipeline A of the first file with pipeline B of the second; without it,\npipelines are paired by name (or the only pipeline of each file is compared).\nExit code 0 whether or not there are changes; 1 when an input has errors.',
  options: {
    format: { ...SHARED.format, value: 'text|json|md', choices: ['text', 'json', 'md'], help: 'text (default), one JSON document, or Markdown (run folders: the metric table)' },
    pipeline: { kind: 'string', value: 'A:B', help: 'pipeline A of the first file against pipeline B of the second' },
  },
  positionals: { name: 'path (A and B)', min: 2, max: 2 },
} as const satisfies CommandSpec;

export const SYNTH = {
  name: 'synth',
  summary: 'write phantom chest-image datasets',
  synopsis: '--preset tiny|paper|shortcut --out DIR [--seed N] [--scale S] [--size N] [--corrupt N] [--near-duplicates N] [--workers N] [--lung-masks]',
  description:
    "Writes phantom chest images (PNG; paper also DICOM and NIfTI volumes) and manifests laid out\nlike the published datasets (docs/synth-layouts.md).\nPresets: tiny (48 images of 64×64 over 3 sources, for tests); paper (the paper's Table 1\nsources in the layout of docs/data-layout.md); shortcut (one strongly marked source for CVP,\nunmarked external test sources). The same seed writes the same bytes.",
  options: {
    preset: { kind: 'choice', value: 'NAME', choices: ['tiny', 'paper', 'shortcut'], help: 'which dataset family (required)' },
    out: { kind: 'string', value: 'DIR', help: 'output folder (new, empty, or written before by cvr synth; required)' },
    seed: { kind: 'integer', value: 'N', min: 0, help: 'random seed (default 1)' },
    scale: {
      kind: 'number',
      value: 'S',
      help: "fraction of the preset's counts (paper default 0.02; tiny, shortcut 1); each (source, native\n                  label) gets max(4, round(count × scale)) images",
    },
    size: { kind: 'integer', value: 'N', min: 16, help: 'base image size in pixels (tiny, shortcut 64; paper 256); sources scale it' },
    corrupt: { kind: 'integer', value: 'N', min: 0, help: 'plant N bad inputs (truncated PNGs, non-images, empty files, missing rows)' },
    'near-duplicates': { kind: 'integer', value: 'N', min: 0, help: 'plant N edited copies of images (JPEG, resize, crop, intensity, marker, noise); ground truth in near-duplicates.json' },
    workers: { kind: 'integer', value: 'N', min: 0, help: 'render threads (default: 0 = this thread, up to 4 on 4+ cores for 200+ images); the bytes\n                  written do not depend on it' },
    'lung-masks': { kind: 'boolean', help: 'also write each phantom\'s true lung mask as masks/<image path>.png (255 inside the lungs)' },
  },
  positionals: { name: 'argument', min: 0, max: 0 },
} as const satisfies CommandSpec;

export const MODELS = {
  name: 'models',
  summary: 'list the model registry',
  synopsis: '[--format text|json] [--size S] [--classes K] [--width W] [--channels C]',
  description:
    "Lists the model registry with each model's parameter count, by default at 224 × 224 × 3,\n2 classes, width 1 (the reference architectures). --width 0.125 shows a small CPU model.",
  options: {
    format: SHARED.format,
    size: { kind: 'number', value: 'S', help: 'input size in pixels (default 224)' },
    classes: { kind: 'number', value: 'K', help: 'output classes (default 2)' },
    width: { kind: 'number', value: 'W', help: 'width multiplier (default 1)' },
    channels: { kind: 'number', value: 'C', help: 'input channels (default 3)' },
  },
  positionals: { name: 'argument', min: 0, max: 0 },
} as const satisfies CommandSpec;

export const ENGINES = {
  name: 'engines',
  summary: 'list tensor engines and which one auto picks',
  synopsis: '[--format text|json] [--engine NAME]',
  description:
    'Lists the tensor engines in the order `auto` tries them (tfjs-node-gpu, tfjs-node,\nnative, cpu), whether each is available here and why, and which one `auto` picks.\n--engine NAME checks that one engine can be used (exit 1 with the reason if not).',
  options: { format: SHARED.format, engine: SHARED.engine },
  positionals: { name: 'argument', min: 0, max: 0 },
} as const satisfies CommandSpec;

export const WEIGHTS = {
  name: 'weights',
  summary: 'Keras .h5 weights: fetch the ImageNet files, export a run, info',
  synopsis: 'fetch MODEL… [--dir DIR] | export RUN_DIR MODEL OUT.h5 [--fold N] [--cache DIR] | info FILE [--format text|json]',
  description:
    "fetch   downloads the Keras applications' ImageNet weights (include_top=False) of each MODEL (or\n        all) into $CVR_WEIGHTS_DIR (default ~/.cache/cvr/weights), where `weights imagenet` finds\n        them. Each file is checked against the md5 Keras publishes; a broken transfer resumes.\n        CVR_WEIGHTS_URL=URL downloads from a mirror (URL/<file name>) instead.\nexport  writes the trained weights of MODEL (fold 0 unless --fold) of a run folder as a Keras\n        .h5 weights file (the layout of Keras's save_weights), which `weights \"OUT.h5\"` loads.\ninfo    lists the layers, shapes and parameter count of a weight file (.h5, or a folder), and\n        which registry model, at which width, it fits.",
  options: {
    dir: { kind: 'string', value: 'DIR', help: 'fetch: where to put the files (default $CVR_WEIGHTS_DIR)' },
    fold: { kind: 'integer', value: 'N', min: 0, help: 'export: which fold (default 0)' },
    cache: SHARED.cache,
    format: SHARED.format,
  },
  positionals: { name: 'argument', min: 1, max: Infinity },
} as const satisfies CommandSpec;

export const LSP = {
  name: 'lsp',
  summary: 'the language server for editors (--stdio)',
  synopsis: '--stdio',
  description: 'Speaks the Language Server Protocol on standard input and output: diagnostics as `cvr check`\ngives them, completion, go to definition, references, hover, formatting, symbols and rename.\nSee docs/editors.md for VS Code, Neovim, Helix and other clients.',
  options: { stdio: { kind: 'boolean', help: 'talk over standard input and output (the only transport)' } },
  positionals: { name: 'argument', min: 0, max: 0 },
} as const satisfies CommandSpec;

export const INIT = {
  name: 'init',
  summary: 'scaffold a cvr project in a folder',
  synopsis: '[DIR] [--force]',
  description:
    'Creates a project in DIR (default the current folder): cvr.json at its root (which marks the\nroot: every command run below it uses the cache and run folders there), pipelines/ with a\nstarter pipeline, and data/ with a README of where datasets go. Never overwrites a file.',
  options: { force: { kind: 'boolean', help: 'also scaffold inside a folder that is not empty' } },
  positionals: { name: 'DIR', min: 0, max: 1 },
} as const satisfies CommandSpec;

export const DOCTOR = {
  name: 'doctor',
  summary: 'report versions, engines, threads and the cache',
  synopsis: '[--format text|json] [--cache DIR]',
  description:
    "Prints what a bug report needs: cvr's and Node's versions, the project root, the tensor engines\nand which one auto picks, oneDNN's version and threads, and where the cache is and its size.",
  options: { format: SHARED.format, cache: SHARED.cache },
  positionals: { name: 'argument', min: 0, max: 0 },
} as const satisfies CommandSpec;

export const COMPLETION = {
  name: 'completion',
  summary: 'print a shell completion script (bash, zsh, fish)',
  synopsis: 'bash|zsh|fish',
  description:
    'Prints a completion script for the shell. For example:\n  bash: cvr completion bash > ~/.local/share/bash-completion/completions/cvr\n  zsh:  cvr completion zsh > "${fpath[1]}/_cvr"\n  fish: cvr completion fish > ~/.config/fish/completions/cvr.fish',
  options: {},
  positionals: { name: 'shell', min: 1, max: 1 },
} as const satisfies CommandSpec;
