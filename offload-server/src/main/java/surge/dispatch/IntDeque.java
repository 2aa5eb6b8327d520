package surge.dispatch;

import java.util.Arrays;

/**
 * A growable ring buffer of ints: a job's queue of task indices without boxing a million Integers.
 */
final class IntDeque {
  private int[] items;
  private int head;
  private int size;

  IntDeque(int capacity) {
    items = new int[Math.max(4, capacity)];
  }

  /** A deque holding 0, 1, ..., n-1 in order, except those marked in {@code skip}. */
  static IntDeque range(int n, java.util.BitSet skip) {
    var d = new IntDeque(n - skip.cardinality());
    for (int i = skip.nextClearBit(0); i < n; i = skip.nextClearBit(i + 1)) {
      d.addLast(i);
    }
    return d;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void addLast(int v) {
    grow();
    items[(head + size) % items.length] = v;
    size++;
  }

  void addFirst(int v) {
    grow();
    head = (head - 1 + items.length) % items.length;
    items[head] = v;
    size++;
  }

  int pollFirst() {
    if (size == 0) {
      throw new IllegalStateException("empty");
    }
    int v = items[head];
    head = (head + 1) % items.length;
    size--;
    return v;
  }

  /** Removes the first {@code v}, keeping the others' order; false if it holds none. */
  boolean remove(int v) {
    for (int i = 0; i < size; i++) {
      if (items[(head + i) % items.length] == v) {
        for (int j = i; j < size - 1; j++) {
          items[(head + j) % items.length] = items[(head + j + 1) % items.length];
        }
        size--;
        return true;
      }
    }
    return false;
  }

  /** Calls {@code each} with every item, first to last. */
  void forEach(java.util.function.IntConsumer each) {
    for (int i = 0; i < size; i++) {
      each.accept(items[(head + i) % items.length]);
    }
  }

  void clear() {
    head = 0;
    size = 0;
  }

  private void grow() {
    if (size < items.length) {
      return;
    }
    int[] bigger = new int[items.length * 2];
    for (int i = 0; i < size; i++) {
      bigger[i] = items[(head + i) % items.length];
    }
    items = bigger;
    head = 0;
  }

  @Override
  public String toString() {
    int[] copy = new int[size];
    for (int i = 0; i < size; i++) {
      copy[i] = items[(head + i) % items.length];
    }
    return Arrays.toString(copy);
  }
}
