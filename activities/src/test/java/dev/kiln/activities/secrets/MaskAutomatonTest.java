package dev.kiln.activities.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskAutomatonTest {

  @Test
  void theDenseTableAndTheSparseFormFindTheSameMatchesAtEveryByte() {
    Random random = new Random(42);
    List<byte[]> patterns = new ArrayList<>();
    for (String p : List.of("abab", "babc", "bca", "abcabc", "cab", "aaaa")) {
      patterns.add(p.getBytes(StandardCharsets.US_ASCII));
    }
    MaskAutomaton dense = new DenseMaskAutomaton(patterns);
    MaskAutomaton sparse = new SparseMaskAutomaton(patterns);
    int denseState = 0;
    int sparseState = 0;
    for (int i = 0; i < 100_000; i++) {
      byte b = (byte) "abcx".charAt(random.nextInt(4));
      denseState = dense.next(denseState, b);
      sparseState = sparse.next(sparseState, b);
      assertThat(dense.matchLength(denseState)).isEqualTo(sparse.matchLength(sparseState));
      assertThat(dense.depth(denseState)).isEqualTo(sparse.depth(sparseState));
    }
  }

  @Test
  void aLongestPatternEndingAtAByteIsFoundThroughItsSuffixes() {
    MaskAutomaton automaton =
        MaskAutomaton.of(List.of("xabcd".getBytes(StandardCharsets.US_ASCII), "bcd".getBytes()));
    int state = 0;
    for (byte b : "zabcd".getBytes(StandardCharsets.US_ASCII)) {
      state = automaton.next(state, b);
    }

    assertThat(automaton.matchLength(state)).isEqualTo(3);
    assertThat(automaton).isInstanceOf(DenseMaskAutomaton.class);
  }

  @Test
  void hugePatternSetsUseTheSparseForm() {
    Random random = new Random(7);
    List<byte[]> patterns = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      byte[] pattern = new byte[16 * 1024];
      random.nextBytes(pattern);
      patterns.add(pattern);
    }

    assertThat(MaskAutomaton.of(patterns)).isInstanceOf(SparseMaskAutomaton.class);
  }
}
