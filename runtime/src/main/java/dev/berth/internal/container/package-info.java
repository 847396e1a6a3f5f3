/**
 * One container's life, from image to ready and back: image policy and builds, creating and joining session
 * containers, readiness (ports, protocol handshakes, ready checks), logs, execs, and the end of a run.
 */
package dev.berth.internal.container;
