/**
 * One trace from Java into Python and back, with OpenTelemetry, when the web app has its API (or its
 * Java agent bridges the one the web app carries). {@link dev.httpy.tracing.Tracing} is all the rest
 * of httpy sees: it loads no OpenTelemetry class unless the API is there, and does nothing when no
 * tracer records and no span is current.
 */
package dev.httpy.tracing;
