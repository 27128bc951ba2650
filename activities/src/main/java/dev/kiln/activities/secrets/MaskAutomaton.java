package dev.kiln.activities.secrets;

import java.util.Collection;
import java.util.stream.IntStream;

/**
 * Finds occurrences of a set of byte patterns in one pass (Aho–Corasick): the state after each byte
 * tells how long a pattern ends there, and how many of the last bytes may still begin one. State 0
 * is the start.
 */
interface MaskAutomaton {

  /** Above this many table entries (4 bytes each) the dense table gives way to the sparse form. */
  int MAX_DENSE_ENTRIES = 2 << 20;

  /**
   * The fastest automaton for {@code patterns} whose table stays within {@link #MAX_DENSE_ENTRIES}.
   */
  static MaskAutomaton of(Collection<byte[]> patterns) {
    SparseMaskAutomaton sparse = new SparseMaskAutomaton(patterns);
    long classes = patterns.stream().flatMapToInt(p -> byteValues(p)).distinct().count() + 1;
    if (sparse.states() * classes > MAX_DENSE_ENTRIES) {
      return sparse;
    }
    return new DenseMaskAutomaton(patterns);
  }

  /** The state after {@code state} reads {@code b}. */
  int next(int state, byte b);

  /** How many of the bytes just read may still be the start of a match. */
  int depth(int state);

  /** The longest pattern that ends with the byte just read, or 0. */
  int matchLength(int state);

  private static IntStream byteValues(byte[] pattern) {
    return IntStream.range(0, pattern.length).map(i -> pattern[i] & 0xff);
  }
}
