/**
 * The session's DNS: A and SRV records of the ready services and VIPs, served on the network's gateway by one JVM of
 * the session, taken over by another when it ends.
 */
package dev.berth.internal.dns;
