/**
 * Ctrl-C handling for a run: the first SIGINT aborts the run's signal (handlers stop at the next
 * batch boundary after a checkpoint, and the runner announces it with a `stopping` event); a
 * second one exits at once. The returned function removes the handler.
 */
export function abortOnSigint(controller: AbortController): () => void {
  let count = 0;
  const handler = (): void => {
    count += 1;
    if (count === 1) controller.abort();
    else process.exit(130);
  };
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGINT', handler);
  };
}
