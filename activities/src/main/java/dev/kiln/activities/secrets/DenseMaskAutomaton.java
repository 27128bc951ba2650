package dev.kiln.activities.secrets;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * An Aho–Corasick automaton over bytes, compiled into a full transition table: one array lookup per
 * byte of output finds every occurrence of every pattern, overlapping ones included, whatever the
 * number of patterns. Bytes that occur in no pattern share one column of the table (byte classes),
 * which keeps it small: secrets and their encodings use a few dozen distinct bytes.
 */
final class DenseMaskAutomaton implements MaskAutomaton {

  /** The column of each byte; 0 for bytes in no pattern. */
  private final int[] byteClass = new int[256];

  private final int classes;

  /** {@code next[state * classes + class]}. */
  private final int[] next;

  private final int[] depth;

  /** The length of the longest pattern ending at each state (its own or a suffix's), or 0. */
  private final int[] matchLength;

  DenseMaskAutomaton(Collection<byte[]> patterns) {
    int distinct = 1;
    for (byte[] pattern : patterns) {
      for (byte b : pattern) {
        if (byteClass[b & 0xff] == 0) {
          byteClass[b & 0xff] = distinct++;
        }
      }
    }
    classes = distinct;
    List<int[]> children = new ArrayList<>();
    List<Integer> depths = new ArrayList<>();
    List<Integer> lengths = new ArrayList<>();
    children.add(new int[classes]);
    depths.add(0);
    lengths.add(0);
    for (byte[] pattern : patterns) {
      int state = 0;
      for (byte b : pattern) {
        int c = byteClass[b & 0xff];
        if (children.get(state)[c] == 0) {
          children.get(state)[c] = children.size();
          children.add(new int[classes]);
          depths.add(depths.get(state) + 1);
          lengths.add(0);
        }
        state = children.get(state)[c];
      }
      lengths.set(state, Math.max(lengths.get(state), pattern.length));
    }
    int states = children.size();
    next = new int[states * classes];
    depth = depths.stream().mapToInt(Integer::intValue).toArray();
    matchLength = lengths.stream().mapToInt(Integer::intValue).toArray();
    compile(children);
  }

  /**
   * Fills the table breadth first: a missing transition is the failure state's, which is shallower
   * and so already filled; a state's matches include its failure state's.
   */
  private void compile(List<int[]> children) {
    int[] fail = new int[children.size()];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    int[] root = children.get(0);
    for (int c = 0; c < classes; c++) {
      next[c] = root[c];
      if (root[c] != 0) {
        queue.add(root[c]);
      }
    }
    while (!queue.isEmpty()) {
      int state = queue.poll();
      matchLength[state] = Math.max(matchLength[state], matchLength[fail[state]]);
      int[] own = children.get(state);
      for (int c = 0; c < classes; c++) {
        int fallback = next[fail[state] * classes + c];
        if (own[c] != 0) {
          fail[own[c]] = fallback;
          next[state * classes + c] = own[c];
          queue.add(own[c]);
        } else {
          next[state * classes + c] = fallback;
        }
      }
    }
  }

  @Override
  public int next(int state, byte b) {
    return next[state * classes + byteClass[b & 0xff]];
  }

  @Override
  public int depth(int state) {
    return depth[state];
  }

  @Override
  public int matchLength(int state) {
    return matchLength[state];
  }

  @Override
  public String toString() {
    return "DenseMaskAutomaton[" + depth.length + " states, " + classes + " byte classes]";
  }
}
