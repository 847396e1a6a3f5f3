package dev.berth.internal.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.internal.session.SessionDirectory;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The zone's records and answers, without sockets or an engine; and the server on a free port. */
class DnsZoneTest {

  private final DnsZone zone = new DnsZone(DnsZone.forSession("kit-1234"));

  private static InetAddress ip(String address) throws Exception {
    return InetAddress.getByName(address);
  }

  private Message ask(String name, int type) throws Exception {
    return new DnsResponder(zone).answer(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
  }

  /** Asks as a client does, by the query's bytes: names outside the zone get the server's own handling. */
  private Message askBytes(String name, int type) throws Exception {
    byte[] query = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)).toWire();
    return new Message(new DnsResponder(zone).respond(query, 65535));
  }

  @Test
  void zoneIsOneSanitisedLabelUnderBerthLocal() {
    assertThat(DnsZone.forSession("build-4711-lq2x").toString()).isEqualTo("build-4711-lq2x.berth.local.");
    assertThat(DnsZone.forSession("My_Session.1").toString()).isEqualTo("my-session-1.berth.local.");
    assertThat(DnsZone.forSession("-x" + "y".repeat(80)).toString()).hasSize(63 + ".berth.local.".length());
  }

  @Test
  void answersARecordsForHostnameGlobalHostnamesAndName() throws Exception {
    zone.register("d1", "c1", "berth-0123456789abcdef", List.of("api", "redis"), List.of("redis"), ip("10.1.0.5"),
        List.of(6379));

    for (String name : List.of("berth-0123456789abcdef", "api", "redis", "REDIS")) {
      Message answer = ask(name + ".kit-1234.berth.local.", Type.A);
      assertThat(answer.getRcode()).as(name).isEqualTo(Rcode.NOERROR);
      assertThat(answer.getHeader().getFlag(Flags.AA)).isTrue();
      assertThat(answer.getSection(Section.ANSWER)).singleElement()
          .satisfies(r -> assertThat(((ARecord) r).getAddress()).isEqualTo(ip("10.1.0.5")));
    }
  }

  @Test
  void answersSrvRecordsPerPortWithTheHostnameAsTarget() throws Exception {
    zone.register("d1", "c1", "berth-aa", List.of("web"), List.of("web", "berth-aa"), ip("10.1.0.6"),
        List.of(8080, 8443));

    for (String name : List.of("_web._tcp", "_berth-aa._tcp")) {
      Message answer = ask(name + ".kit-1234.berth.local.", Type.SRV);
      assertThat(answer.getSection(Section.ANSWER)).map(r -> (SRVRecord) r)
          .extracting(SRVRecord::getPort, SRVRecord::getPriority, SRVRecord::getWeight, r -> r.getTarget().toString())
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple(8080, 0, 1, "berth-aa.kit-1234.berth.local."),
              org.assertj.core.groups.Tuple.tuple(8443, 0, 1, "berth-aa.kit-1234.berth.local."));
      assertThat(answer.getSection(Section.ADDITIONAL)).singleElement()
          .satisfies(r -> assertThat(((ARecord) r).getAddress()).isEqualTo(ip("10.1.0.6")));
    }
  }

  @Test
  void unknownNamesAreNxdomainOtherTypesAreEmptyAndOtherZonesRefused() throws Exception {
    zone.register("d1", "c1", "berth-aa", List.of(), List.of("db"), ip("10.1.0.7"), List.of(5432));

    assertThat(ask("nope.kit-1234.berth.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    Message aaaa = ask("berth-aa.kit-1234.berth.local.", Type.AAAA);
    assertThat(aaaa.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(aaaa.getSection(Section.ANSWER)).isEmpty();
    assertThat(ask("kit-1234.berth.local.", Type.SOA).getSection(Section.ANSWER)).hasSize(1);
    assertThat(ask("example.com.", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(ask("berth-aa.other.berth.local.", Type.A).getRcode()).isEqualTo(Rcode.REFUSED);
  }

  @Test
  void unregisterRemovesRecordsOnlyOfTheSameRegistration() throws Exception {
    zone.register("d1", "c1", "berth-aa", List.of("cache"), List.of("cache"), ip("10.1.0.8"), List.of(6379));
    zone.register("d1", "c2", "berth-aa", List.of("cache"), List.of("cache"), ip("10.1.0.9"), List.of(6379));
    zone.unregister("d1", "c1");
    assertThat(ask("cache.kit-1234.berth.local.", Type.A).getSection(Section.ANSWER)).singleElement()
        .satisfies(r -> assertThat(((ARecord) r).getAddress()).isEqualTo(ip("10.1.0.9")));

    zone.unregister("d1", "c2");
    assertThat(ask("cache.kit-1234.berth.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(ask("_cache._tcp.kit-1234.berth.local.", Type.SRV).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(zone.isEmpty()).isTrue();
  }

  /** A group registers again whenever its healthy replicas change; closing it must take its records away. */
  @Test
  void registeringTheSameAgainReplacesItAndOneUnregisterTakesItAway() throws Exception {
    zone.register("g", "g0", List.of("web"), List.of(ip("10.1.0.1")), List.of("web"), List.of("berth-r0"),
        List.of(8080));
    zone.register("g", "g0", List.of("web"), List.of(ip("10.1.0.1")), List.of("web"),
        List.of("berth-r0", "berth-r1"), List.of(8080));
    assertThat(ask("_web._tcp.kit-1234.berth.local.", Type.SRV).getSection(Section.ANSWER)).hasSize(2);

    zone.unregister("g", "g0");
    assertThat(zone.isEmpty()).isTrue();
    assertThat(ask("web.kit-1234.berth.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void everyChangeIsPublishedAndReadsBackAsTheSameRecords() throws Exception {
    var published = new java.util.ArrayList<String>();
    var publishing = new DnsZone(DnsZone.forSession("kit-1234"), published::add);
    publishing.register("d1", "c1", "berth-aa", List.of("redis"), List.of("redis", "berth-aa"), ip("10.1.0.5"),
        List.of(6379, 6380));
    publishing.register("g", "g0", List.of("web", "vip"), List.of(ip("10.1.0.1"), ip("10.1.0.2")), List.of(),
        List.of(), List.of());

    assertThat(published).hasSize(2);
    assertThat(DnsZone.parse(published.get(1))).isEqualTo(publishing.entries());
    publishing.unregister("d1", "c1");
    assertThat(DnsZone.parse(published.get(2))).singleElement()
        .satisfies(e -> assertThat(e.names())
            .containsExactly("web.kit-1234.berth.local.", "vip.kit-1234.berth.local."));

    publishing.close();
    publishing.unregister("g", "g0");
    publishing.register("d2", "c2", "berth-bb", List.of(), List.of(), ip("10.1.0.6"), List.of(1));
    assertThat(published).as("a closed zone publishes nothing more").hasSize(3);
  }

  /** The session's server answers from the records all runs published; the latest wins a name across runs. */
  @Test
  void answersFromTheRecordsOfEveryLiveRunOfTheSession() throws Exception {
    String session = "records-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    var first = new SessionDirectory(session, "first");
    var second = new SessionDirectory(session, "second");
    try {
      String origin = DnsZone.forSession(session);
      var firstZone = new DnsZone(origin, text -> first.publish(SessionDns.RECORDS, text));
      var secondZone = new DnsZone(origin, text -> second.publish(SessionDns.RECORDS, text));
      var records = new SessionRecords(origin, first);
      firstZone.register("d1", "c1", "berth-aa", List.of("db", "one"), List.of("db"), ip("10.1.0.30"), List.of(1));
      Thread.sleep(2); // registered a moment later: the latest wins "db"
      secondZone.register("d2", "c2", "berth-bb", List.of("db", "two"), List.of("db"), ip("10.1.0.31"),
          List.of(2));

      var responder = new DnsResponder(records);
      java.util.function.Function<String, List<InetAddress>> a = name -> {
        try {
          return responder.answer(Message.newQuery(Record.newRecord(Name.fromString(name + "." + origin), Type.A,
              DClass.IN))).getSection(Section.ANSWER).stream().map(r -> ((ARecord) r).getAddress()).toList();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
      assertThat(a.apply("one")).containsExactly(ip("10.1.0.30"));
      assertThat(a.apply("two")).containsExactly(ip("10.1.0.31"));
      assertThat(a.apply("db")).containsExactly(ip("10.1.0.31"));

      second.release(SessionDns.RECORDS);
      assertThat(a.apply("two")).as("the second run ended").isEmpty();
      assertThat(a.apply("db")).containsExactly(ip("10.1.0.30"));
    } finally {
      first.release(SessionDns.RECORDS);
      second.release(SessionDns.RECORDS);
      try (var files = java.nio.file.Files.list(first.dir())) {
        assertThat(files.toList()).as("nothing left in the session directory").isEmpty();
      }
      java.nio.file.Files.deleteIfExists(first.dir());
    }
  }

  @Test
  void theMostRecentServiceWinsASharedNameAndTheOtherIsBackWhenItStops() throws Exception {
    zone.register("d1", "c1", "berth-aa", List.of("db"), List.of("db"), ip("10.1.0.10"), List.of(5432));
    zone.register("d2", "c2", "berth-bb", List.of("db"), List.of("db"), ip("10.1.0.11"), List.of(3306));

    assertThat(((SRVRecord) ask("_db._tcp.kit-1234.berth.local.", Type.SRV).getSection(Section.ANSWER).get(0))
        .getPort()).isEqualTo(3306);
    zone.unregister("d2", "c2");
    assertThat(((ARecord) ask("db.kit-1234.berth.local.", Type.A).getSection(Section.ANSWER).get(0)).getAddress())
        .isEqualTo(ip("10.1.0.10"));
  }

  /** A named port has SRV records of its own, of it alone; they go with the service's, and not with another's. */
  @Test
  void aNamedPortIsListedAloneUnderItsNameAndGoesWithItsService() throws Exception {
    zone.register("d1", "c1", "berth-aa", List.of("web"), List.of("web", "berth-aa"), ip("10.1.0.6"),
        List.of(8080, 9090));
    zone.registerNamedPort("d1", "c1", List.of("berth-aa"), List.of("web", "berth-aa"), "admin", false, 9090);
    zone.registerNamedPort("d1", "c1", List.of("berth-aa"), List.of("web", "berth-aa"), "stats", true, 8125);

    for (String name : List.of("_admin._web._tcp.kit-1234.berth.local.", "_admin._berth-aa._tcp.kit-1234.berth.local.",
        "_admin._web._tcp.")) {
      assertThat(askBytes(name, Type.SRV).getSection(Section.ANSWER)).as(name).map(r -> (SRVRecord) r)
          .extracting(SRVRecord::getPort, r -> r.getTarget().toString())
          .containsExactly(org.assertj.core.groups.Tuple.tuple(9090, "berth-aa.kit-1234.berth.local."));
    }
    assertThat(askBytes("_stats._web._udp.", Type.SRV).getSection(Section.ANSWER)).map(r -> ((SRVRecord) r).getPort())
        .containsExactly(8125);
    assertThat(ask("_web._tcp.kit-1234.berth.local.", Type.SRV).getSection(Section.ANSWER)).hasSize(2);
    assertThat(ask("_admin._web._tcp.kit-1234.berth.local.", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);

    zone.unregister("d1", "c0");
    assertThat(askBytes("_admin._web._tcp.", Type.SRV).getSection(Section.ANSWER)).as("another registration's").hasSize(1);
    zone.unregister("d1", "c1");
    assertThat(zone.entries()).isEmpty();
    assertThat(ask("_admin._web._tcp.kit-1234.berth.local.", Type.SRV).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void aGroupListsEveryReplicaInItsSrvRecordsWithTheirAddresses() throws Exception {
    zone.register("r0", "c0", "berth-r0", List.of("web-0"), List.of("web-0"), ip("10.1.0.20"), List.of(8080));
    zone.register("r1", "c1", "berth-r1", List.of("web-1"), List.of("web-1"), ip("10.1.0.21"), List.of(8080));
    zone.register("g", "g0", List.of("web", "vip"), List.of(ip("10.1.0.1")), List.of("web"),
        List.of("berth-r0", "berth-r1"), List.of(8080));

    Message srv = ask("_web._tcp.kit-1234.berth.local.", Type.SRV);
    assertThat(srv.getSection(Section.ANSWER)).map(r -> ((SRVRecord) r).getTarget().toString())
        .containsExactlyInAnyOrder("berth-r0.kit-1234.berth.local.", "berth-r1.kit-1234.berth.local.");
    assertThat(srv.getSection(Section.ADDITIONAL)).map(r -> ((ARecord) r).getAddress())
        .containsExactlyInAnyOrder(ip("10.1.0.20"), ip("10.1.0.21"));
    assertThat(ask("vip.kit-1234.berth.local.", Type.A).getSection(Section.ANSWER)).map(r -> ((ARecord) r).getAddress())
        .containsExactly(ip("10.1.0.1"));
  }

  @Test
  void namesThatAreNoDnsNamesGetNoRecord() throws Exception {
    zone.register("d1", "c1", "berth-aa", List.of("a.b", ""), List.of("x"), ip("10.1.0.12"), List.of(1));

    assertThat(ask("a.b.kit-1234.berth.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void aTakenPortFailsTheStartAndLeavesNothingBound() throws Exception {
    try (var first = DnsServer.start(zone, InetAddress.getLoopbackAddress(), 0)) {
      int port = first.address().getPort();
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> DnsServer.start(zone, InetAddress.getLoopbackAddress(), port))
          .isInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void serverAnswersOverUdpAndTcp() throws Exception {
    zone.register("d1", "c1", "berth-aa", List.of("redis"), List.of("redis"), ip("10.1.0.13"), List.of(6379));
    try (var server = DnsServer.start(zone, InetAddress.getLoopbackAddress(), 0)) {
      for (boolean tcp : new boolean[] {false, true}) {
        var resolver = new SimpleResolver(server.address());
        resolver.setTCP(tcp);
        Message answer = resolver.send(Message.newQuery(Record.newRecord(
            Name.fromString("_redis._tcp.kit-1234.berth.local."), Type.SRV, DClass.IN)));
        assertThat(answer.getSection(Section.ANSWER)).as("tcp=" + tcp).singleElement()
            .satisfies(r -> assertThat(((SRVRecord) r).getPort()).isEqualTo(6379));
      }
    }
  }

  /**
   * dnsjava takes a fresh JVM about 100 ms of CPU to load, while the first containers start: the zone is filled
   * and the server bound without it, and the first query loads it. Checked with Berth's classes in a loader of
   * their own, which records what it loads.
   */
  @Test
  void onlyTheFirstQueryLoadsDnsjava() throws Exception {
    var loaded = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
    java.net.URL berth = DnsZone.class.getProtectionDomain().getCodeSource().getLocation();
    java.net.URL dnsjava = Name.class.getProtectionDomain().getCodeSource().getLocation();
    try (var loader = new java.net.URLClassLoader(new java.net.URL[] {berth, dnsjava},
        DnsZoneTest.class.getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith("dev.berth.") && !name.startsWith("org.xbill.")) {
          return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
          Class<?> found = findLoadedClass(name);
          if (found == null) {
            found = findClass(name);
            loaded.add(name);
          }
          return found;
        }
      }
    }) {
      Class<?> zoneType = loader.loadClass(DnsZone.class.getName());
      Class<?> serverType = loader.loadClass(DnsServer.class.getName());
      var forSession = zoneType.getDeclaredMethod("forSession", String.class);
      var newZone = zoneType.getDeclaredConstructor(String.class);
      var register = zoneType.getDeclaredMethod("register", String.class, String.class, String.class, List.class,
          List.class, InetAddress.class, List.class);
      var start = serverType.getDeclaredMethod("start", loader.loadClass(DnsRecords.class.getName()),
          InetAddress.class, int.class);
      var address = serverType.getDeclaredMethod("address");
      for (var member : List.of(forSession, register, start, address)) {
        member.setAccessible(true);
      }
      newZone.setAccessible(true);

      Object zone = newZone.newInstance(forSession.invoke(null, "kit-1234"));
      register.invoke(zone, "d1", "c1", "berth-aa", List.of("redis"), List.of("redis"), ip("10.1.0.14"),
          List.of(6379));
      try (var server = (java.io.Closeable) start.invoke(null, zone, InetAddress.getLoopbackAddress(), 0)) {
        assertThat(loaded).as("loaded before any query").isNotEmpty().noneMatch(n -> n.startsWith("org.xbill."));

        var resolver = new SimpleResolver((java.net.InetSocketAddress) address.invoke(server));
        Message answer = resolver.send(Message.newQuery(Record.newRecord(
            Name.fromString("redis.kit-1234.berth.local."), Type.A, DClass.IN)));
        assertThat(answer.getSection(Section.ANSWER)).singleElement()
            .satisfies(r -> assertThat(((ARecord) r).getAddress()).isEqualTo(ip("10.1.0.14")));
        assertThat(loaded).as("loaded by the query").anyMatch(n -> n.startsWith("org.xbill."));
      }
    }
  }
}
