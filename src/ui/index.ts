/**
 * The renderers of run events: the Ink view on an interactive terminal, the plain line logger
 * otherwise (pipes, CI). Both are event sinks; `close` waits for the last frame.
 */
import React from 'react';
import { render } from 'ink';
import type { EventSink } from '../run/index.ts';
import { initialViewState, reduce, type ViewState } from './state.ts';
import { LiveRunView, type ViewStore } from './view.tsx';
import { plainLogger } from './plain.ts';

export interface Renderer {
  readonly sink: EventSink;
  close(): Promise<void>;
}

export function inkRenderer(stdout: NodeJS.WriteStream): Renderer {
  let state: ViewState = initialViewState;
  const listeners = new Set<() => void>();
  const store: ViewStore = {
    get: () => state,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  // patchConsole: stray console output (a library's banner) goes above the live area, not through it.
  const instance = render(React.createElement(LiveRunView, { store }), { stdout, exitOnCtrlC: false, patchConsole: true });
  return {
    sink(event) {
      state = reduce(state, event);
      for (const listener of listeners) listener();
    },
    async close() {
      // Let React commit the last state before Ink writes its final frame.
      await new Promise((r) => setTimeout(r, 50));
      instance.unmount();
      await instance.waitUntilExit();
    },
  };
}

export function plainRenderer(write: (text: string) => void): Renderer {
  return { sink: plainLogger(write), close: async () => undefined };
}

export { RunView, LiveRunView, statusStyle } from './view.tsx';
export { reduce, foldState, initialViewState, type ViewState } from './state.ts';
export { plainLogger, plainLines } from './plain.ts';
export { summaryLines, sparkline } from './format.ts';
