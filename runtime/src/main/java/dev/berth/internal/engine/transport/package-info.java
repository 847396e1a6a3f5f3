/** Berth's own HTTP/1.1 transport to an engine on a Unix socket, beneath docker-java. */
package dev.berth.internal.engine.transport;
