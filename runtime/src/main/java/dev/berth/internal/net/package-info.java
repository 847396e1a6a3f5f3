/**
 * Where this JVM stands relative to the engine's network, where published ports are reached, and what the JVM relays
 * for containers (host services, VIPs).
 */
package dev.berth.internal.net;
