// How a graphql-ws client stops listening from inside its own sink, safely.
//
// graphql-ws 6.4.2's client counts the operations holding its socket ("locks"). When a sink
// disposes its operation inside `next` (e.g. on a run's terminal status) and the server's
// `complete` for that operation is in the same read — it usually is: the server writes the
// terminal `next` and then `complete` at once — the client releases that operation twice: once
// for the dispose, once for the `complete`. Each time the count drifts one lower; once it reaches 0
// the client closes the socket (1000 "Normal Closure") under every other open operation, which
// then end as a silent `complete`, without their terminal events and without an error.
// Deferring the dispose lets the `complete` settle first; the dispose is then a no-op.

/** Calls `dispose` after the current read is handled, never inside a sink callback. */
export function disposeLater(dispose: () => void): void {
  setImmediate(dispose);
}
