package dev.berth.internal.dns;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * What a ready service publishes in the session's zone.
 *
 * @param owner the definition's digest: records of one definition belong together
 * @param token what tells this registration from a later one of the same definition (its container)
 * @param name the name the service was first acquired under
 * @param hostname its hostname from the digest
 * @param globalHostnames the names every container of the run resolves
 * @param address its address on the run's network
 * @param tcpPorts its TCP ports, for SRV records
 * @param udpPorts its UDP ports, for SRV records
 * @param portNames the names of its named ports, by port, for SRV records of those alone
 * @param exit completes when it stops: its records go then
 * @param described how messages name it
 */
public record DnsEntry(String owner, String token, String name, String hostname, Set<String> globalHostnames,
    String address, List<Integer> tcpPorts, List<Integer> udpPorts, Map<Integer, String> portNames,
    CompletionStage<?> exit, String described) {

  public DnsEntry {
    portNames = Map.copyOf(portNames);
  }
}
