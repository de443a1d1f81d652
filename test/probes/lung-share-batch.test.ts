/**
 * gradcam_in_lungs computes its maps in batches (camsFor): each image's map must equal the map
 * computed for that image alone (camFor), for a randomly initialised registry CVR-Net.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { camFor, camsFor } from '../../src/evaluate/gradcam.ts';
import { lungCamTarget } from '../../src/evaluate/probes/lung-share.ts';
import { buildModel } from '../../src/models/index.ts';
import { lcg } from './fixtures.ts';

describe('GradCAM in batches', () => {
  it('gives every image the map it gets alone, each for its own class', () => {
    const built = buildModel('cvrnet', { size: 32, channels: 1, classes: 2, width: 0.0625, seed: 3, nodeKey: 'cam-batch-test' });
    if (!built.ok) throw new Error('build failed');
    const target = lungCamTarget(built.model)!;
    const next = lcg(5);
    const n = 5;
    const pixels = Float32Array.from({ length: n * 32 * 32 }, () => next());
    const classes = [0, 1, 1, 0, 1];
    const x = tf.tensor4d(pixels, [n, 32, 32, 1]);
    const batched = camsFor(built.model, target, x, classes);
    expect(batched).toHaveLength(n);
    for (let i = 0; i < n; i++) {
      const one = tf.tensor4d(pixels.slice(i * 1024, (i + 1) * 1024), [1, 32, 32, 1]);
      const alone = camFor(built.model, target, one, classes[i]!);
      one.dispose();
      expect(batched[i]!.height).toBe(alone.height);
      const a = Array.from(alone.cam);
      const b = Array.from(batched[i]!.cam);
      expect(Math.max(...a)).toBeGreaterThan(0);
      for (let p = 0; p < a.length; p++) expect(b[p]).toBeCloseTo(a[p]!, 5);
    }
    x.dispose();
    built.model.dispose();
  });
});
