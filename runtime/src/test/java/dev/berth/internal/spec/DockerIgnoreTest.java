package dev.berth.internal.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  /** As Go's filepath.Match and docker's regexp read it: '!' first in a class is a member, only '^' negates. */
  @Test
  void onlyACaretNegatesAClassAndABangIsAMember() {
    DockerIgnore ignore = DockerIgnore.parse("bang[!ab].txt\ncaret[^ab].txt\n");

    assertThat(ignore.excludes("bang!.txt")).isTrue();
    assertThat(ignore.excludes("banga.txt")).isTrue();
    assertThat(ignore.excludes("bangc.txt")).isFalse();
    assertThat(ignore.excludes("caretc.txt")).isTrue();
    assertThat(ignore.excludes("careta.txt")).isFalse();
    assertThat(ignore.excludes("caret!.txt")).isTrue();
  }

  @Test
  void rangesAndMembersCombineInOneClass() {
    DockerIgnore ignore = DockerIgnore.parse("v[0-9a-fx].bin\nw[^0-9a-f].bin\nlang-[\u03b1-\u03c9]\n");

    assertThat(ignore.excludes("v7.bin")).isTrue();
    assertThat(ignore.excludes("vc.bin")).isTrue();
    assertThat(ignore.excludes("vx.bin")).isTrue();
    assertThat(ignore.excludes("vg.bin")).isFalse();
    assertThat(ignore.excludes("vF.bin")).isFalse();
    assertThat(ignore.excludes("wg.bin")).isTrue();
    assertThat(ignore.excludes("w7.bin")).isFalse();
    assertThat(ignore.excludes("wc.bin")).isFalse();
    assertThat(ignore.excludes("lang-\u03bb")).isTrue();
    assertThat(ignore.excludes("lang-l")).isFalse();
  }

  /** Characters a Java class would read as syntax ('[', '&&', '\\') are plain members, as in Go. */
  @Test
  void escapedAndJavaSpecialCharactersAreMembersOfAClass() {
    DockerIgnore ignore = DockerIgnore.parse("a[\\]\\-]\nb[[]\nc[x&&y]\nd[\\\\]\ne\\[x\\]\n");

    assertThat(ignore.excludes("a]")).isTrue();
    assertThat(ignore.excludes("a-")).isTrue();
    assertThat(ignore.excludes("a\\")).isFalse();
    assertThat(ignore.excludes("b[")).isTrue();
    assertThat(ignore.excludes("c&")).isTrue();
    assertThat(ignore.excludes("cx")).isTrue();
    assertThat(ignore.excludes("d\\")).isTrue();
    assertThat(ignore.excludes("dd")).isFalse();
    assertThat(ignore.excludes("e[x]")).isTrue();
    assertThat(ignore.excludes("ex")).isFalse();
  }

  @Test
  void patternsDockerRefusesAreRefusedWithTheirLine() {
    for (String pattern : new String[] {"log[", "log[]", "log[^]", "log[]a]", "log[x-]", "log[-x]", "log[a-b-c]",
        "log[z-a]", "log\\", "!"}) {
      assertThatThrownBy(() -> DockerIgnore.parse("# first\n" + pattern + "\n"), pattern)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(".dockerignore line 2, '" + pattern + "', is not a pattern docker accepts: ");
    }
    assertThatThrownBy(() -> DockerIgnore.parse("log[z-a]"))
        .hasMessageEndingWith("the range z-a runs backwards");
  }

  @Test
  void noRulesExcludeNothing() {
    assertThat(DockerIgnore.NONE.excludes("anything")).isFalse();
    assertThat(DockerIgnore.parse("\n# only a comment\n").excludes("anything")).isFalse();
  }
}
