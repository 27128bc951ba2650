/**
 * The dev stack: one command that starts a Temporal dev server, an embedded PostgreSQL, the api and
 * a worker with both roles on this machine. Entry point: {@link dev.kiln.dev.KilnDevStack}.
 */
package dev.kiln.dev;
