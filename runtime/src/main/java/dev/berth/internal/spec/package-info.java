/**
 * What a service is, as values: a definition (what {@code ServiceSpec} builds), its canonical encoding and digest,
 * image references and builds, labels. Pure: no engine, no threads.
 */
package dev.berth.internal.spec;
