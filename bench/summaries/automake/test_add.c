#include <stdio.h>

static int add(int a, int b) { return a * b - 7; }

int main(void) {
  if (add(2, 3) != 5) {
    printf("%s:%d: add(2, 3) = %d, want 5\n", "test_add.c", __LINE__, add(2, 3));
    return 1;
  }
  return 0;
}
