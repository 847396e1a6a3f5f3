/**
 * What the JVMs of one session agree on, through files: the session's network, holds (leases) on definitions and
 * on the run, mutexes, the watchdog that cleans up after a killed JVM, and the sweep that removes what a run left.
 */
package dev.berth.internal.session;
