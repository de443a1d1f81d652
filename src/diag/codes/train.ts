import type { CodeInfo } from './types.ts';

/**
 * CVR800–849 — preprocessing, training and evaluation. Codes are stable: never renumber or reuse
 * one; retire by leaving it here marked "(retired)".
 */
export const trainCodes = {
  CVR800: { severity: 'error', summary: 'an image cannot be decoded (corrupt, truncated or not an image)' },
  CVR801: { severity: 'error', summary: 'an image has more pixels than the decoding limit (possible decompression bomb)' },
  CVR802: { severity: 'error', summary: 'an image or cache entry does not have the shape the pipeline needs' },
  CVR803: { severity: 'error', summary: 'an image file cannot be read (missing or no permission)' },
  CVR804: { severity: 'error', summary: 'a preprocessed-image cache shard is missing or damaged' },
  CVR805: { severity: 'error', summary: 'class weights cannot be computed (a class has no training images, or an explicit weight is missing)' },
  CVR806: { severity: 'error', summary: 'training diverged: the loss is not a finite number' },
  CVR807: { severity: 'error', summary: 'a checkpoint does not fit the model being trained' },
  CVR808: { severity: 'error', summary: 'the model input does not match the declared image size and channels' },
  CVR809: { severity: 'error', summary: 'reduce_lr or early_stop monitors a metric that training does not log' },
  CVR810: { severity: 'warning', summary: 'GradCAM found no correctly classified test image of the chosen class' },
  CVR811: { severity: 'error', summary: 'GradCAM needs a convolutional layer and the model has none' },
  CVR812: { severity: 'error', summary: 'the training set is empty' },
  CVR813: { severity: 'error', summary: 'the GradCAM class is not a class of the task' },
  CVR814: { severity: 'error', summary: 'the loss is not one training implements (categorical_crossentropy)' },
  CVR820: { severity: 'error', summary: 'Unknown probe in `probes { }` (known: source_probe, periphery_only, lung_only, gradcam_in_lungs).' },
  CVR821: { severity: 'error', summary: 'Unknown or out-of-range probe setting (source_probe takes folds ≥ 2, thumbnail 4–64, bins 2–256, epochs ≥ 1; the masked probes take model, epochs and folds; gradcam_in_lungs takes bootstrap).' },
  CVR822: { severity: 'warning', summary: '(retired) A declared probe did not run yet in this version of cvr; every probe runs since issue 15.' },
  CVR823: { severity: 'error', summary: '`lung_field { }` in `probes { }`: an ellipse needs four numbers (centre across, centre down, half-width, half-height, as fractions of the image), or `masks "folder"`; not both, and nothing else' },
  CVR824: { severity: 'error', summary: 'lung_field masks: an image has no mask in the declared folder (matched by file stem), or several' },
  CVR825: { severity: 'error', summary: 'lung_field masks: a mask cannot be read, or its size differs from its image\'s' },
} as const satisfies Record<string, CodeInfo>;
