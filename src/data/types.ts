import type { LedgerBook } from './ledger.ts';
import type { Diagnostic } from '../diag/index.ts';

/** Where an image sits in a design: fitted on, used for model selection, or held out. */
export type Partition = 'train' | 'val' | 'test';

/** One image as a source lists it, before its native label is mapped. */
export interface ScannedImage {
  readonly source: string;
  /**
   * The image's identity inside its source: a POSIX path relative to the source's root (for a
   * source spread over several manifests, relative to their roots' common folder). Split
   * assignment hashes this, never directory order or file content.
   */
  readonly id: string;
  readonly absPath: string;
  readonly nativeLabel: string;
  readonly patient?: string;
  /** A partition the data itself declares (`partition test`, a partition column). */
  readonly partition?: Partition;
  /** `label "col" split "|"`: the native label holds several values joined by this. */
  readonly labelSeparator?: string;
  /** `row 12` for an image from a manifest row (ledger examples). */
  readonly row?: string;
}

/** An image that lands in one of the task's classes. */
export interface LabeledImage extends ScannedImage {
  /** A task class (from `task A vs B`), after mapping and folding leaves into task classes. */
  readonly taskClass: string;
}

export interface ScanResult {
  readonly images: readonly ScannedImage[];
  readonly diagnostics: readonly Diagnostic[];
  /** What was read per source and where it went so far (see `ledger.ts`). */
  readonly ledger: LedgerBook;
}
