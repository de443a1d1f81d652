// Tensors saved for the backward pass without a kernel call each. tfjs saves every input and
// output a gradient needs by `clone`: an Identity kernel (dispatch, scope, pool bookkeeping) plus
// a tape node with its own Cast gradient, which the backward pass then has to filter out again.
// A ResNet-50 step saved 1168 tensors that way, half of its kernel calls and a third of its tape.
// Here, on the native backend and outside higher-order gradients, a saved tensor is a new handle
// on the same data (the backend's reference count raised, exactly what Identity does) and no tape
// node: the saved tensor is only ever read by the gradient functions of a first-order backward
// pass, whose operations nothing records. Nested gradients (tf.grad of tf.grad: the forward pass
// runs at gradient depth 2 or more) keep tfjs's clone, whose tape node carries the second order.
import * as tf from '@tensorflow/tfjs-core';
import type { DataId } from '@tensorflow/tfjs-core';

interface EngineInternals {
  backendName: string;
  backend: { incRef(dataId: DataId): void };
  state: { gradientDepth: number; tensorInfo: { get(dataId: DataId): { backend: unknown } | undefined } };
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
  makeTensorFromTensorInfo(info: { dataId: DataId; shape: number[]; dtype: tf.DataType }): tf.Tensor;
  keep<T extends tf.Tensor>(t: T): T;
}

let installed = false;

/** Idempotent. `CVR_NATIVE_CHEAP_SAVE=0` (read by the caller) keeps tfjs's clone everywhere. */
export function installCheapSaves(backendName: string): void {
  if (installed) return;
  const engine = tf.engine() as unknown as EngineInternals;
  if (typeof engine.saveTensorsForBackwardMode !== 'function' || typeof engine.makeTensorFromTensorInfo !== 'function') return;
  installed = true;
  const original = engine.saveTensorsForBackwardMode.bind(engine);
  engine.saveTensorsForBackwardMode = (tensors: tf.Tensor[]): tf.Tensor[] => {
    if (engine.backendName !== backendName || engine.state.gradientDepth !== 1 ||
        !tensors.every((t) => engine.state.tensorInfo.get(t.dataId)?.backend === engine.backend)) {
      return original(tensors);
    }
    return tensors.map((t) => {
      engine.backend.incRef(t.dataId);
      return engine.keep(engine.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }));
    });
  };
}
