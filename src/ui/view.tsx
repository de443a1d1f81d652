/**
 * The Ink run view: lines printed once via `<Static>`, in order (the run's header first, then
 * the audit and its findings, trained folds, fold metrics, notes); below them a live area — the
 * DAG's nodes by status, the whole run's progress and ETA, each running training node's bars and
 * sparklines (side by side with `--jobs N`) — and at the end the summary tables.
 */
import React, { useSyncExternalStore } from 'react';
import { Box, Static, Text } from 'ink';
import type { NodeStatus } from '../run/index.ts';
import type { FinishedLine, NodeView, TrainingView, ViewState } from './state.ts';
import { formatMs, runProgress } from './state.ts';
import { bar, sparkline, summaryLines } from './format.ts';

type Colour = 'gray' | 'yellow' | 'cyan' | 'green' | 'red';

/** The one place a status becomes a colour and a mark. */
export function statusStyle(status: NodeStatus): { readonly color: Colour; readonly mark: string } {
  switch (status) {
    case 'pending':
      return { color: 'gray', mark: '·' };
    case 'running':
      return { color: 'yellow', mark: '▶' };
    case 'cached':
      return { color: 'cyan', mark: '≡' };
    case 'done':
      return { color: 'green', mark: '✔' };
    case 'failed':
      return { color: 'red', mark: '✖' };
    default: {
      const unknown: never = status;
      return unknown;
    }
  }
}

function toneColour(tone: FinishedLine['tone']): Colour {
  switch (tone) {
    case 'ok':
      return 'green';
    case 'bad':
      return 'red';
    case 'note':
      return 'yellow';
    case 'header':
      return 'cyan';
    case 'quiet':
      return 'gray';
    default: {
      const unknown: never = tone;
      return unknown;
    }
  }
}

/** A note while the run waits for another run's cache lock (the header itself is a finished line). */
function LockWait(props: { readonly state: ViewState }): React.JSX.Element | null {
  const { lockWait } = props.state;
  if (!lockWait) return null;
  return (
    <Text color="yellow">
      waiting: the cache is in use by another cvr run (pid {lockWait.pid} on {lockWait.host}); it continues when that run ends
    </Text>
  );
}

/** The whole run: nodes finished of all, elapsed time and the run's ETA. */
function RunLine(props: { readonly state: ViewState }): React.JSX.Element | null {
  const progress = runProgress(props.state);
  if (progress === undefined || props.state.done !== undefined) return null;
  return (
    <Text>
      <Text bold>run</Text>
      {'    '}
      {bar(progress.done, progress.total, 24)} {progress.done}/{progress.total} nodes
      <Text dimColor>
        {'  '}elapsed {formatMs(progress.elapsedMs)}
        {progress.etaMs !== undefined ? ` · ETA ${formatMs(progress.etaMs)}` : ' · ETA ?'}
      </Text>
    </Text>
  );
}

/** Training nodes started but not yet at their first batch (the model is being built). */
function Starting(props: { readonly state: ViewState }): React.JSX.Element | null {
  const { state } = props;
  const batching = new Set(state.trainings.map((t) => t.running.id));
  const starting = state.nodes.filter((n) => n.status === 'running' && n.kind === 'train' && !batching.has(n.id));
  if (starting.length === 0) return null;
  return (
    <Box flexDirection="column">
      {starting.map((n) => (
        <Text key={n.id} color="yellow">
          ▶ {n.id} starting: building the model and the first batch…
        </Text>
      ))}
    </Box>
  );
}

/** Every DAG node with its status mark, wrapped to the terminal's width. */
function NodeList(props: { readonly nodes: readonly NodeView[] }): React.JSX.Element {
  return (
    <Box flexWrap="wrap">
      {props.nodes.map((node) => {
        const style = statusStyle(node.status);
        return (
          <Box key={node.id} marginRight={2}>
            <Text color={style.color}>
              {style.mark} {node.id}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}

/** Fold, epoch and batch bars of one running training node, with throughput, ETA and sparklines. */
function Progress(props: { readonly training: TrainingView; readonly state: ViewState; readonly width: number; readonly wide: boolean }): React.JSX.Element {
  const { training, state, width } = props;
  const { running } = training;
  const folds = running.folds ?? state.nodes.filter((n) => n.kind === 'train' && n.id.startsWith(`train:${running.model}:`)).length;
  const epochs = running.epochs;
  const pace = `${Math.round(running.imagesPerSecond)} img/s${running.etaMs !== undefined ? ` · ETA ${formatMs(running.etaMs)}` : ''}`;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1} marginRight={1}>
      <Text bold>{running.id}</Text>
      {folds > 0 && (
        <Text>
          fold{'   '}
          {bar(running.fold + (running.batch === running.batches && running.epoch === epochs ? 1 : 0), folds, width)} {running.fold + 1}/{folds}
        </Text>
      )}
      <Text>
        epoch{'  '}
        {bar(running.epoch - 1 + running.batch / running.batches, epochs ?? running.epoch, width)} {running.epoch}
        {epochs !== undefined ? `/${epochs}` : ''}
      </Text>
      <Text>
        batch{'  '}
        {bar(running.batch, running.batches, width)} {running.batch}/{running.batches}
        {props.wide && <Text dimColor>{'  '}{pace}</Text>}
      </Text>
      {!props.wide && <Text dimColor>{'       '}{pace}</Text>}
      <Text>
        loss{'   '}
        <Text color="magenta">{sparkline(training.losses.slice(-width))}</Text> {running.loss.toFixed(4)}
      </Text>
      <Text>
        acc{'    '}
        <Text color="green">{sparkline(training.accuracies.slice(-width))}</Text> {running.accuracy.toFixed(4)}
      </Text>
      {state.lastEpoch?.id === running.id && (
        <Text dimColor>
          epoch {state.lastEpoch.epoch}:{' '}
          {Object.entries(state.lastEpoch.logs)
            .map(([k, v]) => `${k} ${v.toFixed(4)}`)
            .join('  ')}
        </Text>
      )}
    </Box>
  );
}

/** The running training nodes' boxes: one full width, several (`--jobs N`) side by side with narrower bars. */
function Trainings(props: { readonly state: ViewState }): React.JSX.Element | null {
  const { trainings } = props.state;
  if (trainings.length === 0) return null;
  const width = trainings.length === 1 ? 24 : trainings.length === 2 ? 16 : 10;
  return (
    <Box flexDirection="row" flexWrap="wrap">
      {trainings.map((t) => (
        <Progress key={t.running.id} training={t} state={props.state} width={width} wide={trainings.length === 1} />
      ))}
    </Box>
  );
}

/** The whole view for one state; pure, so tests render it from scripted events. */
export function RunView(props: { readonly state: ViewState }): React.JSX.Element {
  const { state } = props;
  return (
    <Box flexDirection="column">
      <Static items={[...state.finished]}>
        {(line) => (
          <Text key={line.key} color={toneColour(line.tone)} bold={line.tone === 'header'}>
            {line.text}
          </Text>
        )}
      </Static>
      <LockWait state={state} />
      {state.nodes.length > 0 && <NodeList nodes={state.nodes} />}
      <RunLine state={state} />
      <Starting state={state} />
      <Trainings state={state} />
      {state.progress && !state.trainings.some((t) => t.running.id === state.progress?.id) && (
        <Text>
          <Text color="yellow">▶ {state.progress.id}</Text> {bar(state.progress.done, state.progress.total, 24)} {state.progress.done}/
          {state.progress.total} {state.progress.unit}
        </Text>
      )}
      {state.stopping === true && <Text color="yellow">stopping at the next batch boundary (Ctrl-C again to quit at once)…</Text>}
      {state.summary && (
        <Box flexDirection="column" marginTop={1}>
          {summaryLines(state.summary).map((line, i) => (
            <Text key={i}>{line === '' ? ' ' : line}</Text>
          ))}
        </Box>
      )}
      {state.done && (
        <Text color={state.done.ok ? 'green' : state.done.cancelled === true ? 'yellow' : 'red'}>
          {state.done.ok
            ? `run done in ${formatMs(state.done.ms)} → ${state.done.runDir}`
            : state.done.cancelled === true
              ? `run stopped after ${formatMs(state.done.ms)}; \`cvr run\` again resumes it`
              : `run failed after ${formatMs(state.done.ms)}`}
        </Text>
      )}
    </Box>
  );
}

/** A tiny external store the event sink writes into and the live view subscribes to. */
export interface ViewStore {
  readonly get: () => ViewState;
  readonly subscribe: (listener: () => void) => () => void;
}

export function LiveRunView(props: { readonly store: ViewStore }): React.JSX.Element {
  const state = useSyncExternalStore(props.store.subscribe, props.store.get);
  return <RunView state={state} />;
}
