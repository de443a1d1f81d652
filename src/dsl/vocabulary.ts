/** The closed sets of names the language accepts, shared by the checks and the conversion. */
export const MODELS = ['cvrnet', 'resnet50', 'xception', 'vgg19', 'inceptionv3', 'densenet121', 'efficientnetb0'] as const;
export const OPTIMIZERS = ['adam', 'adamax', 'sgd', 'rmsprop'] as const;
export const OPTIMIZER_PARAMS = ['lr', 'beta1', 'beta2', 'epsilon', 'momentum', 'rho', 'decay'] as const;
export const LOSSES = ['categorical_crossentropy', 'binary_crossentropy', 'focal'] as const;
export const CLASS_WEIGHT_MODES = ['balanced', 'max_over_count', 'none'] as const;
export const MONITORED = ['val_loss', 'val_accuracy', 'loss', 'accuracy'] as const;
export const REDUCE_LR_PARAMS = ['factor', 'patience', 'min', 'cooldown', 'min_delta'] as const;
export const EARLY_STOP_PARAMS = ['patience', 'min_delta'] as const;
export const METRICS = ['accuracy', 'precision', 'recall', 'f1', 'auc', 'sensitivity', 'specificity'] as const;
export const RESIZE = ['nearest', 'bilinear', 'bicubic', 'area'] as const;
export const NORMALIZE = ['unit', 'imagenet', 'standardize', 'none'] as const;
export const AUGMENT_OPS = ['rotate', 'shift', 'zoom', 'brightness', 'contrast', 'flip'] as const;
export const FLIP_AXES = ['horizontal', 'vertical'] as const;
export const MODEL_OPTIONS = ['weights', 'width', 'dropout', 'heads', 'freeze', 'bn_momentum'] as const;
export const WEIGHTS = ['none', 'imagenet'] as const;
export const PARTITIONS = ['train', 'test'] as const;
export const DELIMITERS = ['comma', 'tab', 'semicolon', 'pipe', 'whitespace', 'csv', 'tsv'] as const;
export const ENCODINGS = ['utf8', 'latin1'] as const;
export const GROUP_BY = ['patient'] as const;

export function isOneOf<T extends string>(set: readonly T[], name: string): name is T {
  return (set as readonly string[]).includes(name);
}
