/** Berth's configuration: every {@code berth.*} key, read from JUnit's parameters, system properties and the environment. */
package dev.berth.internal.config;
