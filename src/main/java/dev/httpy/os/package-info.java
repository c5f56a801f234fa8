/**
 * The operating system below the bridge: the C library's functions as downcall handles, and the
 * non-blocking pipes built on them that carry request bodies into Python ({@link
 * dev.httpy.os.BodyPipe}, watched by {@link dev.httpy.os.PipePoller}) and let Python wake Java
 * ({@link dev.httpy.os.Doorbell}).
 */
package dev.httpy.os;
