// The jiebang command line: subcommands over the Service.
#pragma once

namespace jiebang::cli {

/// Parses arguments and runs one subcommand. Returns the process exit status: 0 success,
/// 1 failure or rejected records, 2 usage error.
int run(int argc, char** argv);

}  // namespace jiebang::cli
