int main(void) { return 3 - 2 == 1 ? 0 : 1; }
