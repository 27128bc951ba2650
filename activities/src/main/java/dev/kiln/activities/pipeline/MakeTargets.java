package dev.kiln.activities.pipeline;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The explicit targets a Makefile (or automake's Makefile.in) defines, found by reading rule lines:
 * enough to know whether {@code make check} or {@code make test} exists without running make, which
 * would execute repository code before the build has even been planned.
 */
final class MakeTargets {

  // "targets: prerequisites" or "targets:: ..." at the start of a line; not ":=" assignments.
  private static final Pattern RULE = Pattern.compile("^([^\\s:#=][^:#=]*?)\\s*::?(?!=)");

  private MakeTargets() {}

  static Set<String> of(String makefile) {
    Set<String> targets = new LinkedHashSet<>();
    for (String line : makefile.split("\\R")) {
      Matcher rule = RULE.matcher(line);
      if (rule.find()) {
        for (String target : rule.group(1).trim().split("\\s+")) {
          // Pattern and variable targets ("%.o", "$(OBJS)") are not names a gate can call.
          if (!target.contains("%") && !target.contains("$")) {
            targets.add(target);
          }
        }
      }
    }
    return targets;
  }
}
