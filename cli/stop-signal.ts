/**
 * A signal raised by the first Ctrl-C (or SIGTERM): a headless run finishes its running step and cleans its
 * lesson up instead of leaving containers behind. A second Ctrl-C quits at once.
 */
export function stopOnSignal(): AbortSignal {
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write('boxlab: stopping after this step and cleaning up (Ctrl-C again to quit at once)\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return stop.signal;
}
