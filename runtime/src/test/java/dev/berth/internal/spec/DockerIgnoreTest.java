package dev.berth.internal.spec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DockerIgnoreTest {

  @Test
  void aNameAlonePatternMatchesAtTheTopOnlyAndEverythingUnderIt() {
    DockerIgnore ignore = DockerIgnore.parse("target\n");

    assertThat(ignore.excludes("target")).isTrue();
    assertThat(ignore.excludes("target/classes/App.class")).isTrue();
    assertThat(ignore.excludes("module/target/App.class")).isFalse();
    assertThat(ignore.excludes("targets")).isFalse();
  }

  @Test
  void starAndQuestionMarkStayInASegment() {
    DockerIgnore ignore = DockerIgnore.parse("*.log\nlogs/?.txt\n");

    assertThat(ignore.excludes("build.log")).isTrue();
    assertThat(ignore.excludes("sub/build.log")).isFalse();
    assertThat(ignore.excludes("logs/a.txt")).isTrue();
    assertThat(ignore.excludes("logs/ab.txt")).isFalse();
  }

  @Test
  void doubleStarSpansDirectoriesIncludingNone() {
    DockerIgnore ignore = DockerIgnore.parse("**/*.tmp\ndocs/**\n");

    assertThat(ignore.excludes("a.tmp")).isTrue();
    assertThat(ignore.excludes("x/y/z/a.tmp")).isTrue();
    assertThat(ignore.excludes("a.tmpl")).isFalse();
    assertThat(ignore.excludes("docs/guide/index.md")).isTrue();
    assertThat(ignore.excludes("src/docs/index.md")).isFalse();
  }

  @Test
  void laterLinesWinAndExceptionsBringFilesBack() {
    DockerIgnore ignore = DockerIgnore.parse("*.md\n!README.md\nREADME*\n!README.secret.md\n");

    assertThat(ignore.excludes("CHANGES.md")).isTrue();
    assertThat(ignore.excludes("README.md")).isTrue();
    assertThat(ignore.excludes("README.secret.md")).isFalse();
  }

  @Test
  void commentsBlankLinesLeadingSlashesAndDotSegmentsAreAsTheCliReadsThem() {
    DockerIgnore ignore = DockerIgnore.parse("# build output\n\n  /out/  \n./tmp//cache\nsub/../gen\n");

    assertThat(ignore.excludes("# build output")).isFalse();
    assertThat(ignore.excludes("out/a")).isTrue();
    assertThat(ignore.excludes("tmp/cache/x")).isTrue();
    assertThat(ignore.excludes("gen/x")).isTrue();
    assertThat(ignore.excludes("sub/gen/x")).isFalse();
  }

  @Test
  void characterClassesAndEscapesMatchAsInGlobs() {
    DockerIgnore ignore = DockerIgnore.parse("file[0-9].txt\nnot[^a].txt\nliteral\\*.txt\nplus+dot.txt\n");

    assertThat(ignore.excludes("file7.txt")).isTrue();
    assertThat(ignore.excludes("filex.txt")).isFalse();
    assertThat(ignore.excludes("notb.txt")).isTrue();
    assertThat(ignore.excludes("nota.txt")).isFalse();
    assertThat(ignore.excludes("literal*.txt")).isTrue();
    assertThat(ignore.excludes("literalx.txt")).isFalse();
    assertThat(ignore.excludes("plus+dot.txt")).isTrue();
    assertThat(ignore.excludes("plusxdot.txt")).isFalse();
  }

  @Test
  void noRulesExcludeNothing() {
    assertThat(DockerIgnore.NONE.excludes("anything")).isFalse();
    assertThat(DockerIgnore.parse("\n# only a comment\n").excludes("anything")).isFalse();
  }
}
