package dev.kiln.cli.runs;

import picocli.CommandLine;

/** A run named on the command line: its number, as the api numbers runs ({@code 42}). */
public final class RunIds implements CommandLine.ITypeConverter<Long> {

  @Override
  public Long convert(String value) {
    try {
      long id = Long.parseLong(value.strip());
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new CommandLine.TypeConversionException(
        "RUN: expected a run number such as 42, got \"" + value + "\"");
  }
}
