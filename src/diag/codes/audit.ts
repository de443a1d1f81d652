import type { CodeInfo } from './types.ts';

/**
 * CVR6xx — audit. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const auditCodes = {
  CVR600: { severity: 'info', summary: 'summary: the source-only baseline and Cramér\'s V between source and class' },
  CVR601: { severity: 'warning', summary: 'source-class confounding: the source alone predicts the test class well (baseline ≥ 0.9)' },
  CVR602: { severity: 'warning', summary: 'strong association between source and class (Cramér\'s V ≥ 0.5)' },
  CVR603: { severity: 'warning', summary: 'a class is drawn from a single source that supplies no other class' },
  CVR610: { severity: 'warning', summary: 'a test source also appears in training or validation: the test is not independent' },
  CVR611: { severity: 'info', summary: 'a random split of the same sources: the test set is not independent of training' },
  CVR612: { severity: 'warning', summary: 'a patient has images in both the test set and training or validation' },
  CVR613: { severity: 'warning', summary: 'byte-identical images in the test set and in training or validation' },
  CVR620: { severity: 'warning', summary: 'byte-identical images in more than one source' },
  CVR630: { severity: 'warning', summary: 'class imbalance in a partition (largest / smallest class ≥ 3)' },
  CVR631: { severity: 'warning', summary: 'a class is absent from a partition of a fold' },
  CVR640: { severity: 'error', summary: '`validation test`: the test set is used for validation (model selection on the test set)' },
  CVR641: { severity: 'warning', summary: 'validation was requested but the validation set of a fold is empty' },
  CVR650: { severity: 'error', summary: '`--frozen`: the data no longer matches the lock file' },
  CVR651: { severity: 'error', summary: 'the lock file is missing, unreadable or does not describe this pipeline' },
  CVR660: { severity: 'warning', summary: 'the same patient id appears in two sources (possibly one person); say `patients shared across sources` to group them' },
  CVR690: { severity: 'warning', summary: 'source probe: inside one class the source can be told from the pixels far above chance (a shortcut a network can take)' },
  CVR691: { severity: 'warning', summary: 'periphery_only: a model that never sees the lung field scores close to the full model' },
  CVR692: { severity: 'warning', summary: 'periphery_only: a model that never sees the lung field scores far above the class prior' },
  CVR693: { severity: 'warning', summary: 'gradcam_in_lungs: less of the GradCAM heat lies inside the lung field than the lung field\'s share of the image' },
  CVR694: { severity: 'info', summary: 'periphery_only / lung_only: a masked model ended no better than the class prior on its own training images: the masked images carry nothing about the class, or the probe needs more epochs' },
  CVR670: { severity: 'info', summary: 'near-duplicate images within one partition (re-encoded, resized, cropped or edited copies)' },
  CVR671: { severity: 'warning', summary: 'two sources share near-duplicate images (the same image published by two datasets)' },
  CVR672: { severity: 'error', summary: 'test images are near-duplicates of training or validation images: the test is not independent' },
  CVR674: { severity: 'info', summary: '`dedupe near` is not applied by a metadata-only audit (the split shown keeps every near-duplicate)' },
  CVR673: { severity: 'info', summary: 'the same file names appear in two sources (a hint of shared images; metadata only)' },
} as const satisfies Record<string, CodeInfo>;
