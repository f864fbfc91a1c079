#include <unistd.h>

#include <iostream>

#include "app/app.h"

int main(int argc, char* argv[]) {
  return pgreach::app::run(argc, argv, std::cout, std::cerr, ::isatty(STDOUT_FILENO) == 1);
}
