package dev.kiln.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MakeTargetsTest {

  @Test
  void findsRuleTargetsAndIgnoresRecipesAssignmentsAndPatterns() {
    String makefile =
        """
        CC := gcc
        PREFIX ?= /usr/local
        LDFLAGS = -lz
        all lib: app
        \t$(CC) -o app app.c # check: not a rule
        install:: all
        %.o: %.c
        $(OBJS): config.h
        # test: commented out
        .PHONY: all install
        check-am: all
        """;

    assertThat(MakeTargets.of(makefile))
        .containsExactly("all", "lib", "install", ".PHONY", "check-am");
  }
}
