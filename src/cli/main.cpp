// jiebang command-line entry point: parse, build the service, run.
#include "commands.h"

int main(int argc, char** argv) { return jiebang::cli::run(argc, argv); }
