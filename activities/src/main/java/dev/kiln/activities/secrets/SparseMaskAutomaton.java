package dev.kiln.activities.secrets;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * An Aho–Corasick automaton over bytes with failure links, for pattern sets too large for {@link
 * DenseMaskAutomaton}'s table: slower per byte, but its size grows with the patterns' bytes only.
 * The root's transitions are a full table, since nearly every byte of a build's output leaves the
 * automaton at the root; deeper states have the few children real secrets give them.
 */
final class SparseMaskAutomaton implements MaskAutomaton {

  private final int[] rootNext = new int[256];
  private final byte[][] childBytes;
  private final int[][] childStates;
  private final int[] fail;
  private final int[] depth;

  /** The length of the longest pattern ending at each state (its own or a suffix's), or 0. */
  private final int[] matchLength;

  SparseMaskAutomaton(Collection<byte[]> patterns) {
    List<Node> nodes = new ArrayList<>();
    nodes.add(new Node(0));
    for (byte[] pattern : patterns) {
      int state = 0;
      for (byte b : pattern) {
        Node node = nodes.get(state);
        int next = node.child(b);
        if (next < 0) {
          next = nodes.size();
          nodes.add(new Node(node.depth + 1));
          node.add(b, next);
        }
        state = next;
      }
      nodes.get(state).matchLength = Math.max(nodes.get(state).matchLength, pattern.length);
    }
    int n = nodes.size();
    childBytes = new byte[n][];
    childStates = new int[n][];
    fail = new int[n];
    depth = new int[n];
    matchLength = new int[n];
    for (int i = 0; i < n; i++) {
      Node node = nodes.get(i);
      childBytes[i] = Arrays.copyOf(node.bytes, node.size);
      childStates[i] = Arrays.copyOf(node.states, node.size);
      depth[i] = node.depth;
      matchLength[i] = node.matchLength;
    }
    linkFailures();
  }

  /** Breadth first, so a state's failure target is done before the state itself. */
  private void linkFailures() {
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int i = 0; i < childBytes[0].length; i++) {
      rootNext[childBytes[0][i] & 0xff] = childStates[0][i];
      fail[childStates[0][i]] = 0;
      queue.add(childStates[0][i]);
    }
    while (!queue.isEmpty()) {
      int state = queue.poll();
      matchLength[state] = Math.max(matchLength[state], matchLength[fail[state]]);
      for (int i = 0; i < childBytes[state].length; i++) {
        int child = childStates[state][i];
        fail[child] = next(fail[state], childBytes[state][i]);
        queue.add(child);
      }
    }
  }

  @Override
  public int next(int state, byte b) {
    while (state != 0) {
      byte[] bytes = childBytes[state];
      for (int i = 0; i < bytes.length; i++) {
        if (bytes[i] == b) {
          return childStates[state][i];
        }
      }
      state = fail[state];
    }
    return rootNext[b & 0xff];
  }

  @Override
  public int depth(int state) {
    return depth[state];
  }

  @Override
  public int matchLength(int state) {
    return matchLength[state];
  }

  int states() {
    return depth.length;
  }

  private static final class Node {
    final int depth;
    byte[] bytes = new byte[1];
    int[] states = new int[1];
    int size;
    int matchLength;

    Node(int depth) {
      this.depth = depth;
    }

    int child(byte b) {
      for (int i = 0; i < size; i++) {
        if (bytes[i] == b) {
          return states[i];
        }
      }
      return -1;
    }

    void add(byte b, int state) {
      if (size == bytes.length) {
        bytes = Arrays.copyOf(bytes, size * 2);
        states = Arrays.copyOf(states, size * 2);
      }
      bytes[size] = b;
      states[size] = state;
      size++;
    }
  }
}
