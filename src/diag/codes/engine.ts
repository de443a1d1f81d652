import type { CodeInfo } from './types.ts';

/**
 * CVR7xx — engine. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const engineCodes = {
  CVR701: { severity: 'error', summary: 'the requested tensor engine is not available on this machine' },
  CVR702: { severity: 'error', summary: 'unknown tensor engine name' },
  CVR703: { severity: 'error', summary: 'unknown model name' },
  CVR704: { severity: 'error', summary: 'the input size is too small for the model' },
  CVR705: { severity: 'error', summary: 'a model option is out of range (width, classes, channels, size)' },
  CVR706: { severity: 'error', summary: 'the weights directory has no tfjs layers model (model.json)' },
  CVR707: { severity: 'error', summary: 'the weights files cannot be read (bad JSON, missing or short weight shard)' },
  CVR708: { severity: 'error', summary: 'the weights do not match the model (layer names or shapes differ)' },
  CVR709: { severity: 'warning', summary: 'training falls back to the plain cpu engine, tens of times slower than the native engine' },
  CVR720: { severity: 'error', summary: 'the ImageNet weight file is not on this machine (`cvr weights fetch` downloads it)' },
  CVR721: { severity: 'error', summary: 'the HDF5 weight file cannot be read, or is not a Keras weights file' },
  CVR722: { severity: 'error', summary: 'a weight file cannot be downloaded (network, HTTP status, or a transfer that kept breaking)' },
  CVR723: { severity: 'error', summary: 'a downloaded weight file has another hash than the published one and was refused' },
  CVR724: { severity: 'error', summary: 'the run folder has no trained weights for that model and fold (`cvr weights export`)' },
  CVR725: { severity: 'error', summary: 'a `weights { … }` entry names no branch of the model, or is given for a model without branches' },
} as const satisfies Record<string, CodeInfo>;
