/**
 * Where the Keras applications publish their ImageNet weights, and the hashes they publish with
 * them: copied from keras `keras/src/applications/{resnet,xception,vgg19,inception_v3,densenet,
 * efficientnet}.py` (the `*_notop.h5` file and the `file_hash` Keras's own `get_file` checks; all
 * are md5). `include_top=False` files: cvr's classifier tops have the task's class count, never
 * ImageNet's 1000 (VGG-19's fc1/fc2 stay at their seeded initialisation).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface KerasWeightsFile {
  /** The Keras application it belongs to. */
  readonly application: string;
  readonly file: string;
  /** The published location. */
  readonly url: string;
  readonly hash: { readonly algorithm: 'md5' | 'sha256'; readonly hex: string };
}

const GCS = 'https://storage.googleapis.com/tensorflow/keras-applications';

/** By registry model name; CVR-Net has no file of its own: its branches use ResNet-50's and Xception's. */
export const KERAS_WEIGHTS: Readonly<Record<string, KerasWeightsFile>> = {
  resnet50: file('ResNet50', `${GCS}/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5`, '4d473c1dd8becc155b73f8504c6f6626'),
  xception: file('Xception', `${GCS}/xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5`, 'b0042744bf5b25fce3cb969f33bebb97'),
  vgg19: file('VGG19', `${GCS}/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`, '253f8cb515780f3b799900260a226db6'),
  inceptionv3: file('InceptionV3', `${GCS}/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`, 'bcbd6486424b2319ff4ef7d526e38f63'),
  densenet121: file('DenseNet121', `${GCS}/densenet/densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5`, '30ee3e1110167f948a6b9946edeeb738'),
  // EfficientNet lives in another bucket (keras `efficientnet.py`: BASE_WEIGHTS_PATH).
  efficientnetb0: file('EfficientNetB0', 'https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5', '50bc09e76180e00e4465e1a485ddc09d'),
};

/** The Keras files a registry model's `weights imagenet` uses, by branch/model name. */
export function kerasFilesFor(model: string): readonly (readonly [string, KerasWeightsFile])[] {
  const names = model === 'cvrnet' ? ['resnet50', 'xception'] : [model];
  return names.flatMap((n) => {
    const f = KERAS_WEIGHTS[n];
    return f === undefined ? [] : [[n, f] as const];
  });
}

/** `$CVR_WEIGHTS_DIR`, else `~/.cache/cvr/weights`. */
export function weightsDir(env: Readonly<Record<string, string | undefined>>): string {
  const set = env['CVR_WEIGHTS_DIR'];
  return set !== undefined && set !== '' ? set : join(homedir(), '.cache', 'cvr', 'weights');
}

/** The download location: the published URL, or `$CVR_WEIGHTS_URL/<file>` when that is set (mirrors, tests). */
export function downloadUrl(f: KerasWeightsFile, env: Readonly<Record<string, string | undefined>>): string {
  const base = env['CVR_WEIGHTS_URL'];
  return base !== undefined && base !== '' ? `${base.replace(/\/+$/, '')}/${f.file}` : f.url;
}

function file(application: string, url: string, md5: string): KerasWeightsFile {
  return { application, file: url.slice(url.lastIndexOf('/') + 1), url, hash: { algorithm: 'md5', hex: md5 } };
}
