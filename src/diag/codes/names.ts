import type { CodeInfo } from './types.ts';

/**
 * CVR3xx — names. Codes are stable: never renumber or reuse one; retire by leaving it here
 * marked "(retired)".
 */
export const namesCodes = {
  CVR301: { severity: 'error', summary: 'Unknown class (in a task, a map target, a union, class weights or GradCAM).' },
  CVR302: { severity: 'error', summary: 'A class is declared twice in one taxonomy.' },
  CVR303: { severity: 'error', summary: 'Unknown source (a `source X` reference, or a test source of a split).' },
  CVR304: { severity: 'error', summary: 'A source is defined twice in one pipeline.' },
  CVR305: { severity: 'error', summary: '`extends` names no visible pipeline.' },
  CVR306: { severity: 'error', summary: 'Two visible top-level items of one kind share a name.' },
  CVR307: { severity: 'error', summary: 'A reference (`train NAME`, `image NAME`, `augment NAME`, `evaluate NAME`, `classes NAME`) names no visible block.' },
  CVR308: { severity: 'error', summary: 'A statement is given twice in one pipeline (two `task`s, two `split`s, …).' },
  CVR309: { severity: 'error', summary: 'Unknown model: not in the registry (cvrnet, resnet50, xception, vgg19, inceptionv3, densenet121, efficientnetb0).' },
  CVR310: { severity: 'error', summary: 'Task classes overlap: one contains the other (NCV vs NOR), so an image could land in two outputs.' },
  CVR311: { severity: 'error', summary: 'Class unions refer to each other in a cycle.' },
  CVR312: { severity: 'error', summary: 'A native label is mapped twice in one `map`.' },
  CVR313: { severity: 'error', summary: 'A model is listed twice in `compare models`.' },
  CVR314: { severity: 'error', summary: 'A class named in `class_weights` or `gradcam` is not a class of the task.' },
  CVR315: { severity: 'error', summary: 'A map target is coarser than the task: it spans several task classes, so its images cannot be placed (say `coarse drop` to drop them).' },
  CVR316: { severity: 'error', summary: 'A class is listed twice in a task.' },
  CVR317: { severity: 'error', summary: 'A source is listed twice among the test sources.' },
} as const satisfies Record<string, CodeInfo>;
