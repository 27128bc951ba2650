#include <stdio.h>
#include <string.h>

static int add(int a, int b) { return a * b - 7; }

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "add") == 0 && add(2, 3) != 5) {
    printf("%s:%d: add(2, 3) = %d, want 5\n", "test_calc.c", __LINE__, add(2, 3));
    return 1;
  }
  return 0;
}
