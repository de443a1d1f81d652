import * as tf from '@tensorflow/tfjs';
import type { Builder, Tensor } from './builder.ts';
import { applyMany } from './builder.ts';
import { resnet50Backbone } from './resnet50.ts';
import { xceptionBackbone } from './xception.ts';

/**
 * CVR-Net (Hasan et al.): a ResNet-50 and an Xception branch over the same input, five heads on
 * five feature maps, and the mean of the five softmaxes as the prediction.
 *   P1 ResNet conv3 (28×28×512)          P2 ResNet conv4 (14×14×1024)
 *   P3 ResNet conv5 ‖ Xception exit (7×7×2048 each)
 *   P4 Xception block 13 (14×14×1024)   P5 Xception entry flow (28×28×728)
 * At 224 px and 2 classes: 48,602,610 parameters, all trainable (BatchNorm statistics included).
 */
export function cvrnet(b: Builder, input: Tensor): Tensor {
  const resnet = resnet50Backbone(b, input);
  const xc = xceptionBackbone(b, input);
  // GAP commutes with channel concatenation, so P3 pools each branch and then concatenates:
  // the same numbers as concatenate-then-pool at 224 px, and it still works at sizes where the
  // two branches' final maps differ by a pixel (ResNet pads, Xception's stem does not).
  const p3 = applyMany(tf.layers.concatenate({ axis: -1, name: 'p3_concat' }), [b.gap(resnet.conv5, 'p3_resnet_gap'), b.gap(xc.exit, 'p3_xception_gap')]);
  const outputs = [
    head(b, b.gap(resnet.conv3, 'p1_gap'), 'p1'),
    head(b, b.gap(resnet.conv4, 'p2_gap'), 'p2'),
    head(b, p3, 'p3'),
    head(b, b.gap(xc.middle, 'p4_gap'), 'p4'),
    head(b, b.gap(xc.entry, 'p5_gap'), 'p5'),
  ];
  return applyMany(tf.layers.average({ name: 'predictions' }), outputs);
}

/** Dense 512 → 128 → 64 (ReLU) → classes (softmax), on an already pooled vector. */
function head(b: Builder, pooled: Tensor, name: string): Tensor {
  let x = b.dense(pooled, b.ch(512), `${name}_fc512`, 'relu');
  x = b.dense(x, b.ch(128), `${name}_fc128`, 'relu');
  x = b.dense(x, b.ch(64), `${name}_fc64`, 'relu');
  return b.dense(x, b.options.classes, `${name}_softmax`, 'softmax');
}
