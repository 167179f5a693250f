/* exit_now: the child of the launch benchmark. It exits at once with status argv[1] (0 when
 * absent), so a launcher's whole cost is what the benchmark measures. Static, like phantun. */
#include <stdlib.h>

int main(int argc, char **argv) { return argc > 1 ? atoi(argv[1]) : 0; }
