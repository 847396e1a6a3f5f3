package dev.berth.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.BerthException;
import dev.berth.internal.engine.ApiVersions.ApiVersion;
import dev.berth.internal.engine.ApiVersions.Choice;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which API version Berth speaks to engines of each kind; no engine needed. */
class ApiVersionsTest {

  private static final String HOST = "unix:///var/run/docker.sock";

  private static ApiVersion v(String text) {
    return ApiVersion.parse(text).orElseThrow();
  }

  private static Choice engine(String oldest, String newest) {
    return ApiVersions.choose(Optional.empty(), "", v(newest), Optional.ofNullable(oldest).map(ApiVersionsTest::v),
        HOST);
  }

  private static Choice pinned(String pin, String oldest, String newest) {
    return ApiVersions.choose(Optional.of(v(pin)), "api.version", v(newest), Optional.of(v(oldest)), HOST);
  }

  @Test
  void anEngineAsNewAsBerthOrOlderIsSpokenToAtItsNewest() {
    assertThat(engine(null, "1.41")).isEqualTo(new Choice(v("1.41"), Optional.empty())); // Docker 20.10, Podman 4
    assertThat(engine("1.24", "1.43").version()).isEqualTo(v("1.43")); // Docker 24
  }

  @Test
  void aNewerEngineIsSpokenToAtTheNewestBerthKnows() {
    assertThat(engine("1.44", "1.52")).isEqualTo(new Choice(v("1.44"), Optional.empty())); // Docker 29
    assertThat(engine("1.12", "1.47").version()).isEqualTo(v("1.44")); // Docker 27
  }

  @Test
  void anEngineThatNoLongerServesTheNewestBerthKnowsIsSpokenToAtItsOldestWithAWarning() {
    Choice choice = engine("1.48", "1.55");

    assertThat(choice.version()).isEqualTo(v("1.48"));
    assertThat(choice.warning()).get().asString().contains("1.48 to 1.55", "newest Berth knows", "1.44");
  }

  @Test
  void anEngineOlderThanBerthSupportsIsAClearError() {
    assertThatThrownBy(() -> engine("1.12", "1.40")).isInstanceOf(BerthException.class)
        .hasMessageContaining("serves API versions up to 1.40")
        .hasMessageContaining("Berth needs 1.41 or newer")
        .hasMessageContaining(HOST);
  }

  @Test
  void aPinnedVersionTheEngineServesIsSpokenAsItIs() {
    assertThat(pinned("1.41", "1.12", "1.47")).isEqualTo(new Choice(v("1.41"), Optional.empty()));
    assertThat(pinned("1.47", "1.12", "1.47").version()).isEqualTo(v("1.47"));
  }

  @Test
  void aPinnedVersionTheEngineRefusesIsReplacedWithAWarningThatNamesTheSetting() {
    Choice choice = pinned("1.41", "1.44", "1.52"); // a pin left from Docker 20.10, on Docker 29

    assertThat(choice.version()).isEqualTo(v("1.44"));
    assertThat(choice.warning()).get().asString()
        .contains("API version 1.41 (api.version)", "1.44 to 1.52", "Berth speaks 1.44 instead", "Remove api.version");
  }

  @Test
  void theEngineIsAskedForItsOldestOnlyWhenBerthWouldSpeakBelowItsNewest() {
    assertThat(ApiVersions.candidate(Optional.empty(), v("1.41"))).isEqualTo(v("1.41"));
    assertThat(ApiVersions.candidate(Optional.empty(), v("1.44"))).isEqualTo(v("1.44"));
    assertThat(ApiVersions.candidate(Optional.empty(), v("1.52"))).isEqualTo(v("1.44"));
    assertThat(ApiVersions.candidate(Optional.of(v("1.41")), v("1.52"))).isEqualTo(v("1.41"));
  }

  @Test
  void versionsParseAndCompareAsNumbers() {
    assertThat(v("1.9")).isLessThan(v("1.10"));
    assertThat(v(" 1.44 ")).isEqualTo(new ApiVersion(1, 44));
    assertThat(ApiVersion.parse("v1.44")).isEmpty();
    assertThat(ApiVersion.parse(null)).isEmpty();
    assertThat(v("1.44")).hasToString("1.44");
  }
}
