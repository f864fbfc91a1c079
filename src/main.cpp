#include <malloc.h>
#include <unistd.h>

#include <iostream>

#include "app/app.h"

int main(int argc, char* argv[]) {
#ifdef M_ARENA_MAX
  // glibc gives each new thread its own malloc arena (up to 8 per core); every check runs on
  // its own thread, so a healthy diagnose kept ~9 arenas and ~1.1 MB of resident heap for a
  // few kB of allocations each. Two arenas are plenty for our handful of threads
  // (bench/RESULTS.md, section 6: peak RSS 19.3 -> 18.2 MB).
  mallopt(M_ARENA_MAX, 2);
#endif
  return pgreach::app::run(argc, argv, std::cout, std::cerr, ::isatty(STDOUT_FILENO) == 1);
}
